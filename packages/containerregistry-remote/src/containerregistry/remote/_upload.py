"""One blob into one repository: HEAD, mount, POST, PATCH (streamed or chunked), PUT, resume.

The upload is sent with the transport's retries turned off (a streamed body cannot
be replayed blindly); instead, after a failure the upload's offset is asked from the
registry (``GET`` on the upload URL, ``Range`` header) and the bytes from there on
are sent again, after the retry policy's backoff or the ``Retry-After`` a 429 or 503
asked for. When the registry has forgotten the upload it starts over.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from typing import BinaryIO, cast
from urllib.parse import urlencode, urljoin

import requests

from containerregistry import logs, name, workers
from containerregistry.remote._errors import UploadError
from containerregistry.remote._options import Options
from containerregistry.remote._progress import Progress
from containerregistry.transport import (
    RegistryError,
    RegistrySession,
    TransportError,
    check_response,
    error_from_response,
    no_retry,
    redact_url,
)
from containerregistry.v1 import Hash, Layer

#: Pieces a streamed PATCH body is sent in.
_SEND_SIZE = 1 << 20
_RANGE = re.compile(r"(?:bytes[ =])?(\d+)-(\d+)")

_log = logging.getLogger("containerregistry.remote")
_log.addHandler(logging.NullHandler())


def known_digest(layer: Layer) -> Hash | None:
    """The layer's digest, or None for a stream layer not yet read."""
    try:
        return layer.digest()
    except Exception:  # stream.NotComputedError and friends: learned after the upload
        return None


def known_size(layer: Layer) -> int | None:
    """The layer's size, or None when it is not known before reading."""
    try:
        size = layer.size()
    except Exception:
        return None
    return size if size >= 0 else None


class _SourceError(Exception):
    """Wraps an error raised while reading the source, to tell it from a sink failure."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class _Source:
    """The layer's bytes, positioned anywhere: the last chunk is kept for cheap resends,
    otherwise the layer is opened again and read up to the offset (never re-uploaded)."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.stream: BinaryIO | None = None
        self.position = 0  # bytes read from ``stream``
        self.chunk = b""
        self.chunk_start = 0

    def seek(self, offset: int) -> None:
        """Make the next :meth:`take` start at ``offset``."""
        if self.chunk_start <= offset <= self.chunk_start + len(self.chunk) and self.chunk:
            self.chunk = self.chunk[offset - self.chunk_start :]
            self.chunk_start = offset
            return
        self.chunk = b""
        if self.stream is None or offset < self.position:
            self.close()
            self._open()
        while self.position < offset:
            data = self._read(min(_SEND_SIZE, offset - self.position))
            if not data:
                raise _SourceError(
                    UploadError(f"the source ended at byte {self.position}, before {offset}")
                )
        self.chunk_start = offset

    def _open(self) -> BinaryIO:
        """The open stream, opening the layer (at byte 0) if none is."""
        if self.stream is None:
            try:
                self.stream = self.layer.compressed()
            except Exception as exc:
                raise _SourceError(exc) from exc
            self.position = 0
        return self.stream

    def _read(self, size: int) -> bytes:
        stream = self._open()
        try:
            data = stream.read(size)
        except Exception as exc:
            raise _SourceError(exc) from exc
        self.position += len(data)
        return data

    def take(self, size: int) -> bytes:
        """Return up to ``size`` bytes from the current offset (the kept chunk first)."""
        if self.chunk:
            data, self.chunk = self.chunk[:size], self.chunk[size:]
            self.chunk_start += len(data)
            return data
        data = self._read(size)
        self.chunk_start += len(data)
        return data

    def take_into(self, buffer: memoryview) -> memoryview:
        """Like :meth:`take` for ``len(buffer)`` bytes, read into ``buffer``; return the
        filled part of it (no new bytes object per chunk)."""
        if self.chunk:
            data = self.take(len(buffer))
            buffer[: len(data)] = data
            return buffer[: len(data)]
        stream = self._open()
        readinto = getattr(stream, "readinto", None)
        try:
            if readinto is not None:
                count = int(readinto(buffer) or 0)
            else:
                data = stream.read(len(buffer))
                count = len(data)
                buffer[:count] = data
        except Exception as exc:
            raise _SourceError(exc) from exc
        self.position += count
        self.chunk_start += count
        return buffer[:count]

    def keep(self, data: bytes, start: int) -> None:
        """Remember ``data`` (starting at ``start``) so that a failed PATCH can resend it."""
        self.chunk = data
        self.chunk_start = start

    def close(self) -> None:
        """Close the open stream, if any."""
        if self.stream is not None:
            try:
                self.stream.close()
            finally:
                self.stream = None


class _Body:
    """A PATCH body streamed from the source; its length lets requests send Content-Length."""

    def __init__(
        self,
        source: _Source,
        length: int | None,
        on_sent: Progress,
        key: str,
        start: int,
        stop: threading.Event | None,
    ) -> None:
        self._stop = stop
        self._source = source
        self._length = length
        self._progress = on_sent
        self._key = key
        self._start = start
        self.sent = 0

    def __len__(self) -> int:
        return self._length or 0

    def __iter__(self) -> Iterator[memoryview]:
        # One buffer for every piece: the HTTP client sends each piece whole before it
        # asks for the next one.
        buffer = memoryview(bytearray(_SEND_SIZE))
        while True:
            workers.check(self._stop)
            data = self._source.take_into(buffer)
            if not data:
                return
            self.sent += len(data)
            self._progress.set(self._key, self._start + self.sent)
            yield data


class BlobUploader:
    """Uploads blobs into ``repository`` through ``session`` (a push-scoped session)."""

    def __init__(
        self,
        session: RegistrySession,
        repository: name.Repository,
        options: Options,
        progress: Progress,
        *,
        stop: threading.Event | None = None,
    ) -> None:
        self.session = session
        self.repository = repository
        self.options = options
        self.progress = progress
        #: When set, uploads stop between chunks (another blob failed, or Ctrl-C).
        self.stop = stop

    def _url(self, path: str) -> str:
        return self.session.url(f"/v2/{self.repository.repository_str}/{path}")

    def exists(self, digest: Hash) -> bool:
        """HEAD the blob: True when the repository already has it."""
        response = self.session.head(self._url(f"blobs/{digest}"))
        response.close()
        if response.status_code in (200, 404):
            return response.status_code == 200
        raise error_from_response(response)

    def upload(self, layer: Layer) -> Hash:
        """Make sure the repository has ``layer``'s blob; return its digest.

        HEAD first (present: nothing is sent), then a cross-repository mount when the
        layer comes from another repository of the same registry, then the upload.
        """
        digest = known_digest(layer)
        size = known_size(layer)
        key = str(digest) if digest is not None else f"stream:{id(layer)}"
        if digest is not None and self.exists(digest):
            self.progress.set(key, size or 0)
            logs.progress.info("existing blob: %s", digest)
            return digest
        mount_from = self._mount_source(layer) if digest is not None else None
        location = self.start(digest, mount_from)
        if location is None:
            self.progress.set(key, size or 0)
            assert digest is not None  # only known digests are mounted
            logs.progress.info("mounted blob: %s", digest)
            return digest
        try:
            pushed = self._transfer(location, layer, digest, size, key)
        except workers.Stopped:
            raise  # not this blob's failure: the one that stopped it is reported
        except BaseException as exc:
            self.progress.fail(exc)
            raise
        logs.progress.info("pushed blob: %s", pushed)
        return pushed

    def _mount_source(self, layer: Layer) -> name.Repository | None:
        repository = getattr(layer, "repository", None)
        if not isinstance(repository, name.Repository):
            return None
        if repository.registry.registry_str != self.repository.registry.registry_str:
            return None
        if repository.repository_str == self.repository.repository_str:
            return None
        return repository

    def start(self, digest: Hash | None, source: name.Repository | None) -> str | None:
        """POST a new upload; return its URL, or None when the blob was mounted (201).

        With ``source`` the POST asks to mount ``digest`` from it; a registry that
        will not mount answers 202 with an upload to use, or an error after which a
        plain POST is sent.
        """
        url = self._url("blobs/uploads/")
        if source is not None and digest is not None:
            query = urlencode({"mount": str(digest), "from": source.repository_str})
            response = self.session.post(f"{url}?{query}")
            response.close()
            if response.status_code == 201:
                return None
            if response.status_code == 202 and response.headers.get("Location"):
                return urljoin(url, response.headers["Location"])
        response = self.session.post(url)
        check_response(response, 202)
        response.close()
        location = response.headers.get("Location")
        if not location:
            raise UploadError(f"POST {redact_url(url)}: the registry sent no upload Location")
        return urljoin(url, location)

    def _transfer(
        self, location: str, layer: Layer, digest: Hash | None, size: int | None, key: str
    ) -> Hash:
        """Send the bytes and commit them; resume (or restart) after temporary failures."""
        source = _Source(layer)
        offset = 0
        failures = 0
        policy = self.options.retry
        wait: float | None
        try:
            while True:
                try:
                    # Inside the try: reopening the source after a break can fail too.
                    source.seek(offset)
                    with no_retry():
                        location = self._send(location, source, offset, size, key)
                        if digest is None:
                            source.close()  # a stream layer learns its digest when closed
                        final = digest if digest is not None else layer.digest()
                        self._finish(location, final)
                    return final
                except _SourceError as exc:
                    # Only a network failure of the source is worth reading it again.
                    if not isinstance(exc.error, TransportError) or failures + 1 >= policy.attempts:
                        self._cancel(location)
                        raise exc.error from None
                    source.close()
                    source.chunk = b""
                    failures += 1
                    last: BaseException = exc.error
                    wait = policy.delay(failures)
                except (TransportError, RegistryError) as exc:
                    # A 429 or 503 may say how long to wait (bounded by max_retry_after).
                    after = exc.retry_after if isinstance(exc, RegistryError) else None
                    wait = policy.delay(failures + 1, retry_after=after)
                    if not _temporary(exc) or failures + 1 >= policy.attempts or wait is None:
                        self._cancel(location)
                        if not _temporary(exc):
                            raise
                        if wait is None:
                            raise UploadError(
                                f"uploading blob {digest or '(stream)'} to "
                                f"{self.repository.name}: the registry asked to wait "
                                f"{after:.0f} s (more than the retry policy's "
                                f"max_retry_after, {policy.max_retry_after:.0f} s); "
                                f"try again later; last error: {exc}"
                            ) from exc
                        raise UploadError(
                            f"uploading blob {digest or '(stream)'} to {self.repository.name} "
                            f"failed {failures + 1} times; last error: {exc}"
                        ) from exc
                    failures += 1
                    last = exc
                _log.info("upload of %s broke (%s); resuming", digest or "(stream)", last)
                policy.sleep(wait or 0.0)
                status = self.status(location)
                if status is None:
                    # The registry forgot the upload: start over from byte 0.
                    location = self.start(None, None) or ""
                    offset = 0
                else:
                    location, offset = status
        finally:
            source.close()

    def _send(self, location: str, source: _Source, offset: int, size: int | None, key: str) -> str:
        """PATCH everything from ``offset`` on; return the latest upload URL."""
        chunk_size = self.options.chunk_size
        if chunk_size is None:
            length = None if size is None else size - offset
            body = _Body(source, length, self.progress, key, offset, self.stop)
            headers = {"Content-Type": "application/octet-stream"}
            if offset:
                end = "" if size is None else str(size - 1)
                headers["Content-Range"] = f"{offset}-{end}"
            if length == 0:
                return location
            # Of unknown length (a stream layer) the body goes out chunked: requests
            # would take a sized body's length of 0 and send nothing.
            sent: _Body | Iterator[memoryview] = body if length is not None else iter(body)
            # (urllib3 sends any bytes-like piece; the stubs only name bytes)
            response = self.session.patch(
                location, data=cast("Iterable[bytes]", sent), headers=headers
            )
            check_response(response, 202, 204, 201)
            return urljoin(location, response.headers.get("Location") or location)
        while True:
            workers.check(self.stop)
            start = source.chunk_start
            data = source.take(chunk_size)
            if not data:
                return location
            source.keep(data, start)  # kept until the registry confirms it
            response = self.session.patch(
                location,
                data=data,
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{start}-{start + len(data) - 1}",
                },
            )
            check_response(response, 202, 204, 201)
            source.chunk = b""
            source.chunk_start = start + len(data)
            self.progress.set(key, start + len(data))
            location = urljoin(location, response.headers.get("Location") or location)

    def _finish(self, location: str, digest: Hash) -> None:
        separator = "&" if "?" in location else "?"
        response = self.session.put(
            f"{location}{separator}{urlencode({'digest': str(digest)})}",
            headers={"Content-Length": "0"},
        )
        check_response(response, 201, 204)
        response.close()

    def status(self, location: str) -> tuple[str, int] | None:
        """Ask where upload ``location`` stands: (new URL, bytes received), or None if gone."""
        try:
            response = self.session.get(location)
        except TransportError:
            return None
        with response:
            if response.status_code not in (200, 204):
                return None
            match = _RANGE.fullmatch(response.headers.get("Range", "").strip())
            # "0-0" is how registries say "nothing yet" (and, ambiguously, one byte).
            received = 0 if match is None or match.group(2) == "0" else int(match.group(2)) + 1
            return urljoin(location, response.headers.get("Location") or location), received

    def _cancel(self, location: str) -> None:
        with contextlib.suppress(TransportError, requests.RequestException):
            self.session.delete(location).close()


def _temporary(exc: BaseException) -> bool:
    if isinstance(exc, RegistryError):
        return exc.temporary or exc.status in (499, 522)
    return isinstance(exc, TransportError)
