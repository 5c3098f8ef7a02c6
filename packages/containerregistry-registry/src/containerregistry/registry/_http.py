"""The small request and response types the handlers share, over plain WSGI."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterable, Iterator
from typing import IO, Any
from urllib.parse import parse_qs

from containerregistry.registry._errors import RegistryError

#: Bytes read from the request body, or sent from a blob, per call: big enough that
#: per-call overhead vanishes next to the socket and hashlib, small enough that a
#: 1 GB upload stays far below the 80 MB RSS budget.
CHUNK_SIZE = 1 << 20


class Request:
    """One WSGI request: method, path, query, headers and a body read at most once."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method: str = environ.get("REQUEST_METHOD", "GET").upper()
        raw_path: str = environ.get("PATH_INFO", "") or "/"
        # PEP 3333 decodes the path as latin-1; registry paths are ASCII anyway.
        self.path = raw_path.encode("latin-1").decode("utf-8", "replace")
        self.query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        self._remaining = self._content_length()

    def _content_length(self) -> int | None:
        """The declared body length; None when the body ends at EOF (chunked)."""
        text = self.environ.get("CONTENT_LENGTH", "")
        if text:
            try:
                length = int(text)
            except ValueError:
                raise RegistryError(
                    "SIZE_INVALID", f"Content-Length {text!r} is not a number"
                ) from None
            if length < 0:
                raise RegistryError("SIZE_INVALID", f"Content-Length {text!r} is negative")
            return length
        if self.environ.get("wsgi.input_terminated"):
            return None
        return 0

    @property
    def content_length(self) -> int | None:
        """The length the client declared, None for a chunked body."""
        return self._content_length()

    def header(self, name: str, default: str = "") -> str:
        """A request header by its HTTP name (``Content-Range``), or ``default``."""
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            return str(self.environ.get(key, default) or default)
        return str(self.environ.get("HTTP_" + key, default))

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    def iter_body(self, stalled: str = "BLOB_UPLOAD_INVALID") -> Iterator[bytes]:
        """Yield the body in chunks of at most :data:`CHUNK_SIZE` bytes.

        A body whose client sends nothing for the server's read timeout raises a
        408 with error code ``stalled`` (default ``BLOB_UPLOAD_INVALID``) that
        closes the connection.
        """
        stream: IO[bytes] = self.environ["wsgi.input"]
        while self._remaining is None or self._remaining > 0:
            want = CHUNK_SIZE if self._remaining is None else min(CHUNK_SIZE, self._remaining)
            try:
                chunk = stream.read(want)
            except TimeoutError:
                raise RegistryError(
                    stalled,
                    "the request body stopped arriving for longer than the registry's "
                    "read timeout; nothing of it is kept, send the request again",
                    status=408,
                    headers=[("Connection", "close")],
                ) from None
            if not chunk:
                if self._remaining:
                    raise RegistryError(
                        "SIZE_INVALID",
                        f"the request body ended {self._remaining} bytes before its "
                        "Content-Length; resend the whole chunk",
                    )
                return
            if self._remaining is not None:
                self._remaining -= len(chunk)
            yield chunk

    def read_body(self, limit: int, stalled: str = "BLOB_UPLOAD_INVALID") -> bytes | None:
        """The whole body, or None when it is longer than ``limit`` bytes (a stalled
        one: see :meth:`iter_body`)."""
        declared = self._content_length()
        if declared is not None and declared > limit:
            return None
        parts: list[bytes] = []
        total = 0
        for chunk in self.iter_body(stalled):
            total += len(chunk)
            if total > limit:
                return None
            parts.append(chunk)
        return b"".join(parts)


class BlobBody:
    """A response body of ``length`` bytes of a blob from ``offset``.

    The source is bytes (memory storage), a binary file (disk storage) or a stream
    without a descriptor (a bucket). Our own server sends files with
    ``os.sendfile``; everything else is iterated.
    """

    def __init__(self, source: bytes | IO[bytes], offset: int, length: int) -> None:
        self.source = source
        self.offset = offset
        self.length = length

    def __iter__(self) -> Iterator[bytes]:
        if isinstance(self.source, bytes):
            view = memoryview(self.source)
            for start in range(self.offset, self.offset + self.length, CHUNK_SIZE):
                end = min(start + CHUNK_SIZE, self.offset + self.length)
                yield bytes(view[start:end])
            return
        fd = self.fileno()
        if fd is None:
            # A stream without a descriptor (a bucket's object): seek, then read.
            self.source.seek(self.offset)
            left = self.length
            while left > 0:
                chunk = self.source.read(min(CHUNK_SIZE, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk
            return
        position = self.offset
        end = self.offset + self.length
        while position < end:
            chunk = os.pread(fd, min(CHUNK_SIZE, end - position), position)
            if not chunk:
                return
            position += len(chunk)
            yield chunk

    def fileno(self) -> int | None:
        """The file descriptor to sendfile from, or None for in-memory content."""
        if isinstance(self.source, bytes):
            return None
        try:
            return self.source.fileno()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
            return None

    def close(self) -> None:
        """Close the blob file (WSGI servers call this when the response is done)."""
        if not isinstance(self.source, bytes):
            self.source.close()


@dataclasses.dataclass
class Response:
    """A status, headers and a body: bytes, or an iterable such as :class:`BlobBody`."""

    status: int
    headers: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    body: bytes | Iterable[bytes] = b""
    #: The Content-Length to announce for a HEAD (whose body is empty).
    head_length: int | None = None

    @classmethod
    def json(
        cls, status: int, document: object, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        """A JSON response with ``Content-Type: application/json``."""
        data = json.dumps(document, separators=(",", ":")).encode()
        return cls(status, [("Content-Type", "application/json"), *(headers or [])], data)


STATUS_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    206: "Partial Content",
    307: "Temporary Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    408: "Request Timeout",
    413: "Payload Too Large",
    416: "Range Not Satisfiable",
    500: "Internal Server Error",
}
