"""Writing a file under a temporary name and renaming it into place."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from typing import BinaryIO


def temp_name(target: str | os.PathLike[str]) -> str:
    """Return a fresh hidden name beside ``target`` (same directory, so the rename is atomic)."""
    directory, base = os.path.split(os.fspath(target))
    return os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")


def is_special(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` exists and is neither a regular file nor a directory.

    A device (``/dev/null``, ``/dev/stdout``), a FIFO or a socket: written in place,
    never replaced by a renamed file (which would put a regular file where the
    device was).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def atomic_file(
    path: str | os.PathLike[str], *, durable: bool = False, buffering: int = -1
) -> Iterator[BinaryIO]:
    """Yield a new file beside ``path``; rename it onto ``path`` only if the block succeeds.

    The file is created with mode 0666 less the umask, as a plain ``open`` (and Go's
    ``os.Create``) would. On any error the temporary file is removed and ``path`` is
    left as it was; an error creating or renaming the file names ``path``, never
    the temporary name. ``buffering`` is ``open``'s (default -1: its default
    buffer). ``durable`` (default False) also fsyncs the file before the
    rename and the directory after it, so the new content survives a crash.
    A ``path`` that is a device, FIFO or socket (:func:`is_special`) is opened and
    written in place instead, as Go's ``os.Create`` does.
    """
    target = os.fspath(path)
    if is_special(target):
        with open(target, "wb", buffering=buffering) as device:
            yield device
        return
    temp = temp_name(target)
    with _named(target):
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb", buffering=buffering) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        with _named(target):
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    if durable:
        directory = os.open(os.path.dirname(target) or ".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


@contextlib.contextmanager
def _named(target: str) -> Iterator[None]:
    """An ``OSError`` raised in the block names ``target``: the temporary name is ours."""
    try:
        yield
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, target) from None


def write_atomically(path: str | os.PathLike[str], data: bytes, *, durable: bool = False) -> None:
    """Write ``data`` to ``path`` through :func:`atomic_file` (``durable`` as there)."""
    with atomic_file(path, durable=durable) as handle:
        handle.write(data)
