"""One blob into one repository: HEAD, mount, POST, PATCH (streamed or chunked), PUT, resume.

A PATCH is never sent again blindly by the transport (a streamed body cannot be
rewound; a chunk is sent under ``no_retry``). Instead, after a failure, or a 416 (a
chunk refused for where it starts), the upload's offset is asked from the registry
(``GET`` on the upload URL, ``Range`` header) and
the bytes from there on are sent again, after the retry policy's backoff or the
``Retry-After`` a 429 or 503 asked for; each such request has the policy's budget.
When the registry has forgotten the upload it starts over in a new one. The POST
that opens an upload, the status GET and the committing PUT are retried as they are
by the transport.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
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


def _reopenable(layer: Layer) -> bool:
    """Whether ``layer.compressed()`` can be called again (only one-shot streams cannot)."""
    found = getattr(layer, "reopenable", True)
    return bool(found)


class _Source:
    """The layer's bytes from any offset, for an upload that may resume.

    A chunk in flight is kept until the registry confirms it, for a cheap resend.
    Going back further opens the layer again and reads up to the offset (nothing is
    uploaded twice). A one-shot layer (a stream that cannot be opened again) is
    copied to a temporary file as it is read, so a resumed or restarted upload reads
    its earlier bytes from there.
    """

    def __init__(self, layer: Layer, opening: _EarlyOpen | None = None) -> None:
        self.layer = layer
        #: The layer's stream, being opened on another thread (see :class:`_EarlyOpen`).
        self.opening = opening
        self.stream: BinaryIO | None = None
        self.position = 0  # bytes read from ``stream`` (and copied to ``spool``)
        self.offset = 0  # the next byte handed out
        self.request_start = 0  # where the PATCH in flight started
        self.chunk = b""  # bytes from ``offset`` on, kept for a resend
        self.spool: BinaryIO | None = None if _reopenable(layer) else _spool_file()

    def seek(self, offset: int) -> None:
        """Make the next :meth:`take` start at ``offset``."""
        if self.chunk and self.offset <= offset <= self.offset + len(self.chunk):
            self.chunk = self.chunk[offset - self.offset :]
            self.offset = offset
            return
        self.chunk = b""
        if self.spool is not None and offset <= self.position:
            self.offset = offset  # replayed from the spool
            return
        if self.stream is None or offset < self.position:
            self.close()
            self._open()
        self.offset = self.position
        while self.position < offset:
            data = self._read(min(_SEND_SIZE, offset - self.position))
            if not data:
                raise _SourceError(
                    UploadError(f"the source ended at byte {self.position}, before {offset}")
                )
        self.offset = offset

    def _open(self) -> BinaryIO:
        """The open stream, opening the layer (at byte 0) if none is."""
        if self.stream is None:
            opening, self.opening = self.opening, None
            try:
                self.stream = opening.result() if opening else self.layer.compressed()
            except Exception as exc:
                raise _SourceError(exc) from exc
            self.position = 0
        return self.stream

    def _read(self, size: int) -> bytes:
        buffer = memoryview(bytearray(size))
        return bytes(self._read_into(buffer))

    def _read_into(self, buffer: memoryview) -> memoryview:
        """Read the next bytes of the stream into ``buffer`` (copying them to the spool)."""
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
        if self.spool is not None and count:
            self.spool.seek(self.position)
            self.spool.write(buffer[:count])
        self.position += count
        return buffer[:count]

    def take(self, size: int) -> bytes:
        """Return up to ``size`` bytes from the current offset (the kept chunk first)."""
        buffer = memoryview(bytearray(size))
        return bytes(self.take_into(buffer))

    def take_into(self, buffer: memoryview) -> memoryview:
        """Fill ``buffer`` from the current offset; return the filled part (empty at the end).

        No new bytes object per piece: the kept chunk, then the spool, then the stream.
        """
        if self.chunk:
            data, self.chunk = self.chunk[: len(buffer)], self.chunk[len(buffer) :]
            buffer[: len(data)] = data
            self.offset += len(data)
            return buffer[: len(data)]
        if self.spool is not None and self.offset < self.position:
            self.spool.seek(self.offset)
            wanted = min(len(buffer), self.position - self.offset)
            count = self.spool.readinto(buffer[:wanted])  # type: ignore[attr-defined]
            self.offset += count
            return buffer[:count]
        filled = self._read_into(buffer)
        self.offset += len(filled)
        return filled

    def keep(self, data: bytes, start: int) -> None:
        """Remember ``data`` (starting at ``start``) so that a failed PATCH can resend it."""
        self.chunk = data
        self.offset = start

    def close(self) -> None:
        """Close the open stream, if any (the spool stays for a later resume)."""
        if self.stream is not None:
            try:
                self.stream.close()
            finally:
                self.stream = None

    def release(self) -> None:
        """Close the stream and drop the spool: the upload is over."""
        if self.opening is not None:
            self.opening.discard()
            self.opening = None
        try:
            self.close()
        finally:
            if self.spool is not None:
                self.spool.close()
                self.spool = None


class _EarlyOpen:
    """``layer.compressed()`` called on a thread of its own, while the upload is opened.

    A layer read from another registry starts with a request there (a GET, often
    redirected to a blob store); sent beside the destination's POST instead of
    after it, it costs no round trip of its own. The stream is taken with
    :meth:`result`; one never taken is closed by :meth:`discard`.
    """

    def __init__(self, layer: Layer) -> None:
        self._opened: Future[BinaryIO] = Future()
        threading.Thread(
            target=self._open, args=(layer,), name="remote-open-source", daemon=True
        ).start()

    def _open(self, layer: Layer) -> None:
        try:
            stream = layer.compressed()
        except BaseException as exc:  # raised by result(), where the stream is read
            self._opened.set_exception(exc)
        else:
            self._opened.set_result(stream)

    def result(self) -> BinaryIO:
        """The open stream (waiting for it), or what opening it raised."""
        return self._opened.result()

    def discard(self) -> None:
        """Close the stream now if it is open, else as soon as it is (without waiting)."""
        self._opened.add_done_callback(_close_opened)


def _close_opened(opened: Future[BinaryIO]) -> None:
    if opened.exception() is None:
        with contextlib.suppress(Exception):  # the upload's own error is the one to report
            opened.result().close()


def _opens_remotely(layer: Layer) -> bool:
    """Whether reading ``layer`` starts with a request to a registry (a remote layer)."""
    return isinstance(getattr(layer, "repository", None), name.Repository)


def _spool_file() -> BinaryIO:
    """An anonymous temporary file (gone when closed, or when the process dies)."""
    import tempfile

    return cast(BinaryIO, tempfile.TemporaryFile(prefix="containerregistry-upload-"))


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
        #: The smallest chunk each upload accepts (``OCI-Chunk-Min-Length``), by URL.
        self.chunk_min: dict[str, int] = {}

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
        layer comes from another repository of the same registry, then the upload. A
        layer from another registry is requested there while the upload is opened.
        """
        digest = known_digest(layer)
        size = known_size(layer)
        key = str(digest) if digest is not None else f"stream:{id(layer)}"
        if digest is not None and self.exists(digest):
            self.progress.set(key, size or 0)
            logs.progress.info("existing blob: %s", digest)
            return digest
        mount_from = self._mount_source(layer) if digest is not None else None
        # A blob from another registry is fetched while the upload is opened.
        opening = _EarlyOpen(layer) if mount_from is None and _opens_remotely(layer) else None
        try:
            location = self.start(digest, mount_from)
        except BaseException:
            if opening is not None:
                opening.discard()
            raise
        if location is None:
            self.progress.set(key, size or 0)
            assert digest is not None  # only known digests are mounted
            logs.progress.info("mounted blob: %s", digest)
            return digest
        try:
            pushed = self._transfer(location, layer, digest, size, key, opening)
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
                return self._opened(url, response)
        response = self.session.post(url)
        check_response(response, 202)
        response.close()
        if not response.headers.get("Location"):
            raise UploadError(f"POST {redact_url(url)}: the registry sent no upload Location")
        return self._opened(url, response)

    def _opened(self, url: str, response: requests.Response) -> str:
        """The URL of the upload a POST to ``url`` opened, noting its smallest chunk."""
        location = urljoin(url, response.headers["Location"])
        minimum = response.headers.get("OCI-Chunk-Min-Length", "")
        if minimum.isdigit():
            self.chunk_min[location.split("?", 1)[0]] = int(minimum)
        return location

    def _transfer(
        self,
        location: str,
        layer: Layer,
        digest: Hash | None,
        size: int | None,
        key: str,
        opening: _EarlyOpen | None = None,
    ) -> Hash:
        """Send the bytes and commit them; resume (or restart) after temporary failures.

        Each request has the retry policy's budget of tries. A PATCH that fails is not
        sent again blindly: the registry is asked where the upload stands and the
        next PATCH starts there. When that offset moved past where the failed PATCH
        started, the PATCH did its part and the next one is a new request with a
        budget of its own; when the registry forgot the upload, it starts again from
        byte 0 in a new one.
        """
        source = _Source(layer, opening)
        policy = self.options.retry
        offset = 0
        tries = 0  # failed tries of the request that starts at ``offset``
        lost = 0  # uploads the registry lost before their commit
        reauthorized = False  # a 401 mid-upload is taken once, with a fresh token
        try:
            while True:
                try:
                    # Inside the try: reopening the source after a break can fail too.
                    source.seek(offset)
                    location = self._send(location, source, offset, size, key)
                except _SourceError as exc:
                    # The source retried on its own (a remote blob resumes with Range).
                    self._cancel(location)
                    raise exc.error from None
                except (TransportError, RegistryError) as exc:
                    last: TransportError = exc
                    if _status(exc) == 401 and not reauthorized:
                        # A token revoked or expired mid-stream; the bearer layer has
                        # fetched a fresh one. A second 401 is final.
                        reauthorized, wait = True, 0.0
                    else:
                        tries += 1
                        wait = self._retry_wait(exc, tries, location, digest, offset)
                else:
                    if digest is None:
                        source.close()  # a stream layer learns its digest when closed
                    final = digest if digest is not None else layer.digest()
                    if self._commit(location, final):
                        return final
                    lost += 1
                    if policy.give_up(lost):
                        raise UploadError(
                            f"uploading blob {final} to {self.repository.name}: the registry "
                            f"lost the upload before its commit {lost} times; try again later"
                        )
                    _log.info("upload of %s vanished before its commit; sending it again", final)
                    location, offset, tries = self.start(None, None) or "", 0, 0
                    continue
                sent_from = source.request_start
                _log.info(
                    "upload of %s broke at byte %d (%s); asking the registry where it stands",
                    digest or "(stream)",
                    sent_from,
                    last,
                )
                policy.wait(wait, host=self.repository.registry.registry_str, status=_status(last))
                status = None if _upload_unknown(last) else self.status(location)
                if status is None:
                    # The registry forgot the upload: start over from byte 0 in a new one.
                    location = self.start(None, None) or ""
                    offset = 0
                    continue
                location, offset = status
                if offset > sent_from:
                    tries = 0  # the registry took bytes: the next PATCH is a new request
        finally:
            source.release()

    def _retry_wait(
        self,
        exc: TransportError,
        tries: int,
        location: str,
        digest: Hash | None,
        offset: int,
    ) -> float:
        """How long to wait after the ``tries``-th failure of one PATCH; raise when done.

        A failure that will not change, a spent budget, or a ``Retry-After`` longer
        than the policy allows cancels the upload and raises, naming the blob, the
        registry, the last answer and the tries.
        """
        policy = self.options.retry
        after = exc.retry_after if isinstance(exc, RegistryError) else None
        wait = policy.delay(tries, retry_after=after)
        retryable = _upload_unknown(exc) or _temporary(exc) or _out_of_order(exc)
        if retryable and not policy.give_up(tries) and wait is not None:
            return wait
        self._cancel(location)
        if not retryable:
            raise exc
        what = f"uploading blob {digest or '(stream)'} to {self.repository.name}"
        if wait is None:
            raise UploadError(
                f"{what}: the registry asked to wait {after:.0f} s (more than the retry "
                f"policy's max_retry_after, {policy.max_retry_after:.0f} s); try again "
                f"later; last error: {exc}"
            ) from exc
        raise UploadError(
            f"{what} failed {tries} times at byte {offset}; last error: {exc}"
        ) from exc

    def _send(self, location: str, source: _Source, offset: int, size: int | None, key: str) -> str:
        """PATCH everything from ``offset`` on; return the latest upload URL."""
        chunk_size = self.options.chunk_size
        source.request_start = offset
        if chunk_size is None:
            length = None if size is None else size - offset
            body = _Body(source, length, self.progress, key, offset, self.stop)
            headers = {"Content-Type": "application/octet-stream"}
            if offset and size is not None:
                # The rest as one chunk of known length: the spec's inclusive range.
                headers["Content-Range"] = f"{offset}-{size - 1}"
            # Of unknown length, a resumed stream is a plain streamed PATCH, as ggcr and
            # Distribution's own client send it: there is no spec form for "from byte N
            # to wherever the stream ends", and the registry appends at the offset it
            # has just reported (the digest at the commit checks the whole).
            if length == 0:
                return location
            # Of unknown length (a stream layer) the body goes out chunked: requests
            # would take a sized body's length of 0 and send nothing. The transport
            # never resends it (a generator cannot be rewound), while the source's own
            # requests (a blob read from another registry) keep their retries.
            sent: _Body | Iterator[memoryview] = body if length is not None else iter(body)
            # (urllib3 sends any bytes-like piece; the stubs only name bytes)
            response = self.session.patch(
                location, data=cast("Iterable[bytes]", sent), headers=headers
            )
            check_response(response, 202, 204, 201)
            return urljoin(location, response.headers.get("Location") or location)
        # A registry may refuse chunks under a minimum (ECR: 5 MiB); the last may be shorter.
        chunk_size = max(chunk_size, self.chunk_min.get(location.split("?", 1)[0], 0))
        while True:
            workers.check(self.stop)
            start = source.offset
            source.request_start = start
            data = source.take(chunk_size)
            if not data:
                return location
            source.keep(data, start)  # kept until the registry confirms it
            # Bytes could be sent again as they are; the registry is asked first instead.
            with no_retry():
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
            source.offset = start + len(data)
            self.progress.set(key, start + len(data))
            location = urljoin(location, response.headers.get("Location") or location)

    def _commit(self, location: str, digest: Hash) -> bool:
        """PUT the digest to commit the upload (retried as is by the transport).

        True once the registry has the blob. When an answer never came back the
        registry may have committed it anyway, and a repeated PUT finds no upload:
        so after a failed PUT the blob is looked up. False when the upload is gone
        and the blob is not there (it must be sent again); other failures raise.
        """
        separator = "&" if "?" in location else "?"
        try:
            response = self.session.put(
                f"{location}{separator}{urlencode({'digest': str(digest)})}",
                headers={"Content-Length": "0"},
            )
            check_response(response, 201, 204)
            response.close()
        except (TransportError, RegistryError) as exc:
            if self._landed(digest):
                return True
            if _upload_unknown(exc):
                return False
            self._cancel(location)
            raise
        return True

    def _landed(self, digest: Hash) -> bool:
        try:
            return self.exists(digest)
        except (TransportError, RegistryError):
            return False

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


def _upload_unknown(exc: BaseException) -> bool:
    """Whether the registry answered that it does not know the upload (it forgot it)."""
    return isinstance(exc, RegistryError) and "BLOB_UPLOAD_UNKNOWN" in exc.codes


def _out_of_order(exc: BaseException) -> bool:
    """Whether the registry refused a chunk for where it starts (416): the spec says to
    resume from where the upload stands, which the next status GET tells."""
    return isinstance(exc, RegistryError) and exc.status == 416


def _status(exc: BaseException) -> int | None:
    return exc.status if isinstance(exc, RegistryError) else None


def _temporary(exc: BaseException) -> bool:
    if isinstance(exc, RegistryError):
        return exc.temporary or exc.status in (499, 522)
    return isinstance(exc, TransportError)
