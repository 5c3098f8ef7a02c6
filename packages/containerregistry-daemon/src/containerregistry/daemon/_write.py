"""Writing an image to the Docker daemon (``docker load``) and tagging images there."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Any

from containerregistry import tarball
from containerregistry.daemon._client import api_client, sdk_errors
from containerregistry.daemon._errors import DaemonError, host_of, translate
from containerregistry.errors import ContainerRegistryError
from containerregistry.name import Digest, Tag, new_tag, parse_reference
from containerregistry.v1 import Image

Reference = Tag | Digest
#: Writes to the daemon are gathered into pieces of about this size, so a tar
#: header does not become an HTTP chunk of its own.
_PIECE = 1 << 20
#: Pieces in flight between the tarball writer and the HTTP request: bounds memory.
_QUEUE_DEPTH = 8
_END = object()


class _Aborted(Exception):
    """The request to the daemon ended; the tarball writer stops."""


class _QueueWriter:
    """A file-like sink whose bytes become the body of the load request."""

    def __init__(self, pieces: queue.Queue[object], stopped: threading.Event) -> None:
        self._pieces = pieces
        self._stopped = stopped
        self._buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        if len(self._buffer) >= _PIECE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._put(bytes(self._buffer))
            self._buffer.clear()

    def _put(self, item: object) -> None:
        while True:
            if self._stopped.is_set():
                raise _Aborted
            try:
                self._pieces.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        self.flush()
        self._put(_END)


def _as_tag(value: Tag | str) -> Tag:
    return new_tag(value) if isinstance(value, str) else value


def _load(api: Any, tag: Tag, image: Image, subject: str) -> str:
    """Stream ``tarball.write(tag, image)`` into the daemon's load endpoint."""
    pieces: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_DEPTH)
    stopped = threading.Event()
    failure: list[BaseException] = []
    sink = _QueueWriter(pieces, stopped)

    def produce() -> None:
        try:
            tarball.write(tag, image, sink)  # type: ignore[arg-type]
            sink.finish()
        except _Aborted:
            pass
        except BaseException as exc:
            failure.append(exc)
            stopped.set()
            # Unblock the request: end the body so the daemon sees a short tarball.
            with contextlib.suppress(queue.Full):
                pieces.put_nowait(_END)

    def body() -> Iterator[bytes]:
        while True:
            item = pieces.get()
            if item is _END or stopped.is_set():
                return
            assert isinstance(item, bytes)
            yield item

    producer = threading.Thread(target=produce, name="daemon-load-tarball", daemon=True)
    producer.start()
    messages: list[str] = []
    try:
        try:
            for message in api.load_image(body(), quiet=True):
                if isinstance(message, dict) and message.get("error"):
                    detail = message.get("errorDetail", {}).get("message") or message["error"]
                    raise DaemonError(
                        f"cannot load {subject}: the Docker daemon rejected the tarball: {detail}"
                    )
                if isinstance(message, dict) and isinstance(message.get("stream"), str):
                    messages.append(message["stream"])
        except sdk_errors() as exc:
            if failure:
                raise _writer_error(failure[0], subject) from exc
            raise translate(exc, action="load", subject=subject, host=host_of(api)) from exc
        except DaemonError:
            if failure:
                raise _writer_error(failure[0], subject) from None
            raise
    finally:
        stopped.set()
        producer.join()
    if failure:
        raise _writer_error(failure[0], subject)
    return "".join(messages)


def _writer_error(exc: BaseException, subject: str) -> BaseException:
    if isinstance(exc, ContainerRegistryError):
        return exc
    return DaemonError(f"cannot load {subject}: reading the image failed: {exc}")


def write(tag: Tag | str, image: Image, *, client: Any = None) -> str:
    """Put ``image`` into the Docker daemon under ``tag`` and return the daemon's messages.

    If the daemon already has an image with this image's id (its config digest)
    it is only tagged, nothing is sent, and ``""`` is returned. Otherwise the image
    is streamed to the daemon as a ``docker save`` tarball (as
    ``tarball.write`` makes it; never held whole in memory) and the daemon's
    messages are returned, e.g. ``"Loaded image: reg/repo:tag\\n"``. ``tag`` is a
    :class:`~containerregistry.name.Tag` or a string (``:latest`` if none is
    given). ``client`` is a ``docker.DockerClient`` or ``docker.APIClient``
    (default None: one from the environment, closed afterwards).

    Raises :class:`DaemonNotRunningError` or :class:`DaemonPermissionError` when the
    daemon cannot be reached and :class:`DaemonError` when it refuses the image.
    """
    parsed = _as_tag(tag)
    subject = f"image {parsed}"
    api, created = api_client(client, action="load", subject=subject)
    try:
        image_id = str(image.config_name())
        try:
            api.inspect_image(image_id)
            present = True
        except sdk_errors() as exc:
            error = translate(exc, action="load", subject=subject, host=host_of(api))
            if getattr(exc, "status_code", None) != 404:
                raise error from exc
            present = False
        if present:
            _tag_with(api, image_id, parsed, subject)
            return ""
        return _load(api, parsed, image, subject)
    finally:
        if created:
            api.close()


def _tag_with(api: Any, source: str, destination: Tag, subject: str) -> None:
    try:
        api.tag(source, destination.context.name, destination.identifier, force=True)
    except sdk_errors() as exc:
        raise translate(exc, action="tag", subject=subject, host=host_of(api)) from exc


def tag(src: Reference | str, dst: Tag | str, *, client: Any = None) -> None:
    """Give the daemon's image ``src`` the additional tag ``dst`` (as ``docker tag``).

    ``src`` is a Tag, Digest or string; ``dst`` a Tag or string. An existing
    ``dst`` is moved to ``src``. ``client`` as :func:`write` (default None: one from
    the environment). Raises :class:`DaemonImageNotFoundError` when there is no
    ``src``, and the errors of :func:`write` for an unreachable daemon.
    """
    source = parse_reference(src) if isinstance(src, str) else src
    destination = _as_tag(dst)
    subject = f"image {source}"
    api, created = api_client(client, action="tag", subject=subject)
    try:
        _tag_with(api, source.name, destination, subject)
    finally:
        if created:
            api.close()
