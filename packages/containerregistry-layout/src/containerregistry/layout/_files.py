"""Atomic file writes and the lock that serializes ``index.json`` updates."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO

def temp_name(target: str) -> str:
    """A fresh name beside ``target`` for a file that is renamed onto it when complete."""
    directory, base = os.path.split(target)
    return os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")


@contextlib.contextmanager
def atomic_file(target: str) -> Iterator[BinaryIO]:
    """Yield a new file; it replaces ``target`` only if the block succeeds.

    Files are created with mode 0666 less the umask; on error the temporary file is
    removed and ``target`` is left as it was.
    """
    temp = temp_name(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_atomically(target: str, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file and a rename."""
    with atomic_file(target) as handle:
        handle.write(data)


@contextlib.contextmanager
def index_lock(root: str) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the layout's directory (blocking until it is free).

    Locking the directory rather than a lock file leaves nothing in the layout that
    other tools would not expect, and ``index.json`` itself cannot carry the lock
    because every update replaces it by a rename.
    """
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
