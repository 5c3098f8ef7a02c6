"""A read-only stream whose bytes are produced chunk by chunk on demand."""

from __future__ import annotations

import io
from typing import BinaryIO, cast

#: How much is read from a source at a time: large enough that Python's per-call
#: cost vanishes next to zlib's and zstd's own work.
CHUNK_SIZE = 1 << 20


class PullReader(io.RawIOBase):
    """Base of the lazy transforming streams: subclasses implement :meth:`_produce`.

    ``read(n)`` hands out produced chunks without copying them when it can;
    ``readinto`` copies once into the caller's buffer.
    """

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self._pending = memoryview(b"")
        self._done = False

    def _produce(self) -> bytes:
        """Return the next chunk of output, or ``b""`` once the output is complete."""
        raise NotImplementedError

    def _next(self) -> memoryview:
        while not self._pending and not self._done:
            chunk = self._produce()
            if not chunk:
                self._done = True
            self._pending = memoryview(chunk)
        return self._pending

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        self._check_open()
        pending = self._next()
        count = min(len(pending), len(buffer))
        memoryview(buffer).cast("B")[:count] = pending[:count]
        self._pending = pending[count:]
        return count

    def read(self, size: int | None = -1) -> bytes:
        self._check_open()
        if size is None or size < 0:
            return self.readall()
        pending = self._next()
        if size >= len(pending):
            self._pending = memoryview(b"")
            obj = pending.obj
            if isinstance(obj, bytes) and len(obj) == len(pending):
                return obj  # the whole produced chunk: no copy
            return pending.tobytes()
        self._pending = pending[size:]
        return pending[:size].tobytes()

    def readall(self) -> bytes:
        parts: list[bytes] = []
        while True:
            chunk = self.read(CHUNK_SIZE)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
            finally:
                super().close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed stream")

    def as_binary_io(self) -> BinaryIO:
        """Return ``self`` typed as :class:`typing.BinaryIO` (it has the reading half)."""
        return cast(BinaryIO, self)


def read_full(stream: BinaryIO, size: int) -> bytes:
    """Read up to ``size`` bytes, looping over short reads; fewer only at end of stream."""
    parts = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)
