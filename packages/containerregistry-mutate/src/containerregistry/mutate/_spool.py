"""A write-once byte store kept in memory when small and in a temporary file when large."""

from __future__ import annotations

import io
import os
import tempfile
import weakref
from typing import BinaryIO

#: Above this many bytes, content moves from memory to a temporary file.
_MEMORY_LIMIT = 8 << 20


class Spool:
    """Collects bytes once, then hands out any number of independent readers."""

    def __init__(self) -> None:
        self._memory: io.BytesIO | None = io.BytesIO()
        self._file: BinaryIO | None = None
        self._size = 0

    def write(self, data: bytes) -> int:
        """Append ``data``; returns its length."""
        if self._memory is not None and self._size + len(data) > _MEMORY_LIMIT:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the spool
            # The file is closed (and so deleted) when the spool is collected.
            weakref.finalize(self, self._file.close)
            self._file.write(self._memory.getvalue())
            self._memory = None
        target = self._memory if self._memory is not None else self._file
        assert target is not None
        target.write(data)
        self._size += len(data)
        return len(data)

    @property
    def size(self) -> int:
        """How many bytes were written."""
        return self._size

    def open(self) -> BinaryIO:
        """Return a new reader positioned at the start."""
        if self._memory is not None:
            return io.BytesIO(self._memory.getvalue())
        assert self._file is not None
        self._file.flush()
        return io.BufferedReader(_FileReader(self._file.fileno(), self._size))


class _FileReader(io.RawIOBase):
    """Reads a region of a shared file descriptor with ``pread``, so readers do not interfere."""

    def __init__(self, fd: int, size: int) -> None:
        self._fd = fd
        self._size = size
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        count = min(len(buffer), self._size - self._offset)
        if count <= 0:
            return 0
        data = os.pread(self._fd, count, self._offset)
        buffer[: len(data)] = data
        self._offset += len(data)
        return len(data)
