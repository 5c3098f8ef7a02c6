"""Reading an image from the Docker daemon: ``docker save`` read as a tarball."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Literal

from containerregistry import tarball
from containerregistry.daemon._client import api_client, sdk_errors
from containerregistry.daemon._errors import DaemonOptionError, host_of, translate
from containerregistry.name import Digest, Tag, parse_reference

Reference = Tag | Digest
#: Where the saved tarball is kept between reads: see :func:`image`.
Buffer = Literal["memory", "file", "none"]
_BUFFERS = ("memory", "file", "none")
_CHUNK = 1 << 20


class _SaveStream(io.RawIOBase):
    """The bytes of one ``docker save`` response, read chunk by chunk."""

    def __init__(self, chunks: Iterator[bytes], *, subject: str, host: str) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = memoryview(b"")
        self._subject = subject
        self._host = host

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return 0
            except sdk_errors() as exc:
                raise translate(exc, action="save", subject=self._subject, host=self._host) from exc
            self._pending = memoryview(chunk)
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        super().close()


def _saver(api: Any, name: str, subject: str) -> Callable[[], BinaryIO]:
    """Return a function that starts a new ``docker save`` of ``name`` on each call."""

    def save() -> BinaryIO:
        try:
            chunks = api.get_image(name, chunk_size=_CHUNK)
        except sdk_errors() as exc:
            raise translate(exc, action="save", subject=subject, host=host_of(api)) from exc
        return io.BufferedReader(
            _SaveStream(iter(chunks), subject=subject, host=host_of(api)), _CHUNK
        )

    return save


def _memory_opener(save: Callable[[], BinaryIO]) -> Callable[[], BinaryIO]:
    lock = threading.Lock()
    data: list[bytes] = []

    def opener() -> BinaryIO:
        with lock:
            if not data:
                with save() as stream:
                    data.append(stream.read())
        return io.BytesIO(data[0])

    return opener


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _file_opener(save: Callable[[], BinaryIO]) -> Callable[[], BinaryIO]:
    lock = threading.Lock()
    paths: list[str] = []

    def opener() -> BinaryIO:
        with lock:
            if not paths:
                handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below)
                    prefix="containerregistry-daemon-", suffix=".tar", delete=False
                )
                try:
                    with handle, save() as stream:
                        while chunk := stream.read(_CHUNK):
                            handle.write(chunk)
                except BaseException:
                    _unlink(handle.name)
                    raise
                paths.append(handle.name)
                # The file lives as long as the image that reads it (the opener).
                weakref.finalize(opener, _unlink, handle.name)
        return open(paths[0], "rb")  # the caller closes it

    return opener


def image(
    ref: Reference | str,
    *,
    buffer: Buffer = "memory",
    client: Any = None,
) -> tarball.TarballImage:
    """Return the image ``ref`` from the Docker daemon, read through ``docker save``.

    ``ref`` is a :class:`~containerregistry.name.Tag`, a
    :class:`~containerregistry.name.Digest` or a string (parsed with
    ``parse_reference``). ``buffer`` says where the saved tarball is kept: in
    memory (``"memory"``, the default, fastest for small images), in a temporary
    file removed when the image is garbage collected (``"file"``, for big images),
    or nowhere (``"none"``: a new save streams from the daemon for every read; no
    memory or disk, but slow). ``client``
    is a ``docker.DockerClient`` or ``docker.APIClient`` (default None: one from
    the environment, as the docker CLI would use). The daemon saves the image
    when this is called (its ``manifest.json`` and config are read at once);
    with ``"none"`` it saves it again for each later read. Layers come back uncompressed
    from the daemon and are gzipped deterministically, so their diff_ids and the
    config digest (the image id) are the daemon's, layer digests are new.

    Raises :class:`DaemonImageNotFoundError` when the daemon has no such image,
    :class:`DaemonNotRunningError` or :class:`DaemonPermissionError` when it cannot
    be reached, :class:`DaemonOptionError` for an unknown ``buffer``.
    """
    if buffer not in _BUFFERS:
        raise DaemonOptionError(f"buffer={buffer!r} is not one of {', '.join(map(repr, _BUFFERS))}")
    parsed = parse_reference(ref) if isinstance(ref, str) else ref
    name = parsed.name
    subject = f"image {parsed}"
    api, created = api_client(client, action="read", subject=subject)
    try:
        try:
            # Fails fast, with a clear message, for a missing image.
            api.inspect_image(name)
        except sdk_errors() as exc:
            raise translate(exc, action="read", subject=subject, host=host_of(api)) from exc
        save = _saver(api, name, subject)
        opener: Callable[[], BinaryIO]
        if buffer == "memory":
            opener = _memory_opener(save)
        elif buffer == "file":
            opener = _file_opener(save)
        else:
            opener = save
        result = tarball.image(opener, source=f"docker save of {name}")
    except BaseException:
        if created:
            api.close()
        raise
    if created:
        if buffer == "none":
            # Every read saves again: the client lives as long as the image does.
            weakref.finalize(opener, api.close)
        else:
            # The buffered save was made while reading manifest.json above.
            api.close()
    return result
