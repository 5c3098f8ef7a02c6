"""Reading a stream ahead on a thread, so fetching the next bytes overlaps writing these.

A layer written into a tarball comes from the network (received, copied and
hashed) and goes to a file; done one after the other on one thread, each waits for
the other. Both release the GIL, so a reader thread that stays a few chunks ahead
lets them run at once, with memory bounded by those chunks.
"""

from __future__ import annotations

import io
import queue
import threading
from typing import BinaryIO, cast

#: Bytes per read of the source.
CHUNK_SIZE = 1 << 20
#: Chunks read ahead at most: enough to ride out a slow write, 8 MiB of memory.
DEPTH = 8
_POLL_SECONDS = 0.1


class ReadAhead(io.RawIOBase):
    """Reads ``source`` to its end on a thread; :meth:`read` hands out what it read.

    An error the source raises (a digest mismatch found at its end, a broken
    connection) is raised by :meth:`read` at the same place in the data. Closing
    stops the thread and waits for it; ``source`` itself is left to the caller,
    who must close this first.
    """

    def __init__(self, source: BinaryIO, *, chunk_size: int = CHUNK_SIZE, depth: int = DEPTH):
        super().__init__()
        self._source = source
        self._chunk_size = chunk_size
        self._chunks: queue.Queue[bytes | BaseException] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._pending = memoryview(b"")
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="tarball-readahead", daemon=True)
        self._thread.start()

    def _put(self, item: bytes | BaseException) -> bool:
        while not self._stop.is_set():
            try:
                self._chunks.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                chunk = self._source.read(self._chunk_size)
                if not self._put(chunk) or not chunk:
                    return
        except BaseException as exc:  # handed to the reader, raised there
            self._put(exc)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if self.closed:
            raise ValueError("I/O operation on closed stream")
        if size is None or size < 0:
            return self.readall()
        if not self._pending and not self._ended:
            item = self._chunks.get()
            if isinstance(item, BaseException):
                self._ended = True
                raise item
            if not item:
                self._ended = True
            self._pending = memoryview(item)
        data = self._pending[:size]
        self._pending = self._pending[size:]
        obj = data.obj
        if isinstance(obj, bytes) and len(data) == len(obj):
            return obj  # a whole chunk: no copy
        return data.tobytes()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        parts = []
        while chunk := self.read(self._chunk_size):
            parts.append(chunk)
        return b"".join(parts)

    def close(self) -> None:
        if not self.closed:
            self._stop.set()
            self._thread.join()
            super().close()

    def as_binary_io(self) -> BinaryIO:
        """Return ``self`` typed as :class:`typing.BinaryIO`."""
        return cast(BinaryIO, self)
