"""The lock that serializes ``index.json`` updates."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator


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
