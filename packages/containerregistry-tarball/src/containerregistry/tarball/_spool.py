"""Compressed blobs kept once made: in memory while small, then in an anonymous temporary file.

An uncompressed tar becomes a layer blob by compressing it, and the blob is needed
twice: its digest and size go into the manifest before the upload starts, and then
its bytes are sent. Compressing it for each would double the slowest step, so the
first compression is written here (hashing the compressed and the uncompressed
bytes on the way) and every later read comes from this copy.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
from typing import BinaryIO, cast

from containerregistry.compression import Compression, compress
from containerregistry.tarball._measure import HashingReader
from containerregistry.v1 import Hash

#: Blobs up to this size stay in memory; larger ones go to the system temp dir.
#: Small layers are common and a few MiB cost nothing; big ones must not grow the RSS.
MEMORY_LIMIT = 4 << 20
_CHUNK = 1 << 20


class Spool:
    """Bytes written once, then read by any number of independent readers at once.

    Up to :data:`MEMORY_LIMIT` bytes are held in memory; past that everything moves
    to an unnamed temporary file (removed by the system as soon as it is closed, or
    if the process dies), which is closed when the spool is garbage collected.
    """

    def __init__(self, *, memory_limit: int = MEMORY_LIMIT) -> None:
        self._memory_limit = memory_limit
        self._buffer: bytearray | None = bytearray()
        self._data: bytes = b""
        self._file: BinaryIO | None = None
        self._size = 0
        self._sealed = False
        self._lock = threading.Lock()  # position of the file, where pread is missing

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Append ``data``; only before :meth:`seal`."""
        if self._sealed:
            raise ValueError("the spool is sealed: it is read-only now")
        if self._buffer is not None:
            if len(self._buffer) + len(data) <= self._memory_limit:
                self._buffer += data
                self._size += len(data)
                return
            # Kept open for the spool's life (closed in close()): no context manager.
            spilled = tempfile.TemporaryFile(prefix="containerregistry-blob-")  # noqa: SIM115
            self._file = cast(BinaryIO, spilled)
            self._file.write(self._buffer)
            self._buffer = None
        assert self._file is not None
        self._file.write(data)
        self._size += len(data)

    def seal(self) -> None:
        """End writing: from now on the spool is read-only and can be opened."""
        if self._sealed:
            return
        self._sealed = True
        if self._buffer is not None:
            self._data, self._buffer = bytes(self._buffer), None
        elif self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Release the memory or the temporary file (readers opened earlier fail)."""
        if self._file is not None:
            self._file.close()
        self._data = b""
        self._buffer = None

    def __del__(self) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Bytes written."""
        return self._size

    @property
    def in_memory(self) -> bool:
        """Whether the bytes are held in memory (not in a temporary file)."""
        return self._file is None

    def open(self) -> BinaryIO:
        """Return a new reader of all the bytes, from the start."""
        if not self._sealed:
            raise ValueError("the spool is still being written: seal it first")
        if self._file is None:
            return io.BytesIO(self._data)
        return cast(BinaryIO, io.BufferedReader(_FileReader(self), _CHUNK))

    def read_at(self, offset: int, size: int) -> bytes:
        """Return up to ``size`` bytes at ``offset`` of the temporary file."""
        assert self._file is not None
        size = max(0, min(size, self._size - offset))
        if not size:
            return b""
        pread = getattr(os, "pread", None)
        if pread is not None:
            data: bytes = pread(self._file.fileno(), size, offset)
            return data
        with self._lock:  # pragma: no cover - systems without pread
            self._file.seek(offset)
            return self._file.read(size)


class _FileReader(io.RawIOBase):
    """One reader of a spilled spool: its own offset, positioned reads of the shared file."""

    def __init__(self, spool: Spool) -> None:
        super().__init__()
        self._spool = spool  # keeps the file open while this reader lives
        self._offset = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._offset, io.SEEK_END: self._spool.size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._offset = base + offset
        return self._offset

    def tell(self) -> int:
        return self._offset

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self._spool.read_at(self._offset, len(view))
        count = len(data)
        view[:count] = data
        self._offset += count
        return count

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            size = self._spool.size - self._offset
        data = self._spool.read_at(self._offset, size)
        self._offset += len(data)
        return data


def spool_compressed(
    stream: BinaryIO, *, algorithm: Compression, level: int
) -> tuple[Spool, Hash, int, Hash]:
    """Compress ``stream`` (an uncompressed tar) once into a :class:`Spool`; close ``stream``.

    Returns the spool, the blob's digest and size, and the diff_id (the sha256 of
    what was read from ``stream``). gzip runs in parallel blocks on every core.
    """
    plain = HashingReader(stream)
    spool = Spool()
    blob_hash = hashlib.sha256()
    try:
        with plain, compress(plain.as_binary_io(), algorithm=algorithm, level=level) as blob:
            while chunk := blob.read(_CHUNK):
                blob_hash.update(chunk)
                spool.write(chunk)
            plain.drain()
    except BaseException:
        spool.close()
        raise
    spool.seal()
    return spool, Hash("sha256", blob_hash.hexdigest()), spool.size, plain.digest()
