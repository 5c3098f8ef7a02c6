"""Deterministic gzip compression in parallel blocks, and multi-member decompression.

Compression splits the input at fixed offsets into :data:`BLOCK_SIZE` blocks and
raw-deflates each one on its own, on a thread pool (zlib releases the GIL), the way
pigz does: every block but the last ends with a sync flush (so it stops on a byte
boundary and the next block's deflate data can follow it), and each block is primed
with the last 32 KiB of the block before it as its dictionary, which keeps the
output within a fraction of a percent of one long deflate stream. Block boundaries
and dictionaries depend on the input alone, so the bytes are the same whatever the
number of workers. Each worker also computes its block's CRC-32; the main thread
joins them. Input of one block or less is compressed on the calling thread and
gives exactly the bytes of a single ``zlib`` deflate stream.
"""

from __future__ import annotations

import collections
import concurrent.futures
import os
import struct
import threading
import zlib
from typing import BinaryIO

from containerregistry.compression import _inflate
from containerregistry.compression._crc import crc32_combine
from containerregistry.compression._errors import CompressionLevelError, DecompressionError
from containerregistry.compression._reader import CHUNK_SIZE, PullReader, read_full

#: ggcr compresses layers at gzip.BestSpeed.
DEFAULT_LEVEL = 1
#: Fixed, never derived from the core count: the block split is part of the output.
#: 1 MiB keeps the sync-flush and dictionary-priming cost near 0.1% of the size and
#: gives a 2-core machine a steady stream of work.
BLOCK_SIZE = 1 << 20
#: deflate's window: what a block may refer back to in the block before it.
DICTIONARY_SIZE = 1 << 15
#: Beyond this many workers the memory of blocks in flight grows faster than
#: layers get compressed (blobs already move several at a time).
MAX_WORKERS = 16
_FLAG_METHOD_DEFLATE = 8
_GZIP_MAGIC = b"\x1f\x8b"
_OS_UNKNOWN = 255  # what Go writes: the header must not depend on the machine


def default_workers() -> int:
    """Cores this process may run on, at most :data:`MAX_WORKERS`."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


_pools: dict[int, concurrent.futures.ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(workers: int) -> concurrent.futures.ThreadPoolExecutor:
    # One pool per size, shared by every stream: layers compressed at the same time
    # share the cores instead of starting a pool each.
    with _pools_lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix="containerregistry-gzip"
            )
            _pools[workers] = pool
        return pool


def _header(level: int) -> bytes:
    # XFL says "maximum compression" (2) at level 9 and "fastest" (4) at level 1,
    # as Go's compress/gzip sets it; other levels leave it 0.
    extra_flags = {9: 2, 1: 4}.get(level, 0)
    # magic, method, no flags (so no name or comment), mtime 0, XFL, OS
    return struct.pack(
        "<2sBBIBB", _GZIP_MAGIC, _FLAG_METHOD_DEFLATE, 0, 0, extra_flags, _OS_UNKNOWN
    )


_Deflated = tuple[bytes, int]


def deflate_block(block: bytes, dictionary: bytes, level: int, last: bool) -> _Deflated:
    """Raw-deflate one block; return its deflate data and the block's CRC-32.

    A non-empty ``dictionary`` (the previous block's tail) primes the window. The
    last block ends the deflate stream; others end with a sync flush.
    """
    if dictionary:
        deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=dictionary)
    else:
        deflate = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = deflate.compress(block)
    tail = deflate.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    return data + tail, zlib.crc32(block)


class GzipCompressor(PullReader):
    """Reads ``source`` and yields one gzip member: our header, raw deflate, CRC and size.

    Output depends only on the input bytes and the level (and the zlib build), never
    on time, file names, how the source splits its reads or ``workers``. At most
    ``2 * workers`` blocks are in flight, so memory stays near
    ``3 * workers * BLOCK_SIZE`` whatever the input size.
    """

    def __init__(self, source: BinaryIO, level: int | None, *, workers: int | None = None) -> None:
        level = DEFAULT_LEVEL if level is None else level
        if isinstance(level, bool) or not 0 <= level <= 9:
            raise CompressionLevelError(f"invalid gzip level {level!r}: want 0 (store) to 9 (best)")
        workers = default_workers() if workers is None else workers
        if isinstance(workers, bool) or workers < 1:
            raise ValueError(f"invalid workers {workers!r}: want 1 or more")
        super().__init__(source)
        self._level = level
        self._workers = workers
        self._window = 2 * workers
        self._header: bytes | None = _header(level)
        # (deflate data and CRC-32 to come, block length), in input order
        self._in_flight: collections.deque[tuple[concurrent.futures.Future[_Deflated], int]] = (
            collections.deque()
        )
        self._blocks = 0
        self._lookahead: bytes | None = None  # read, not yet submitted
        self._source_done = False  # the source has returned a short block
        self._all_submitted = False
        self._previous_tail = b""
        self._crc = 0
        self._size = 0

    def _read_block(self) -> bytes:
        block = read_full(self._source, BLOCK_SIZE)
        if len(block) < BLOCK_SIZE:
            self._source_done = True
        return block

    def _submit_more(self) -> None:
        """Read and hand out blocks until the window is full or the input is done."""
        while not self._all_submitted and len(self._in_flight) < self._window:
            block = self._lookahead if self._lookahead is not None else self._read_block()
            # A block is the last once nothing follows it: when it came up short, or
            # when the next read finds the end.
            if self._source_done:
                last, self._lookahead = True, None
            else:
                following = self._read_block()
                last = not following
                self._lookahead = None if last else following
            args = (block, self._previous_tail, self._level, last)
            future: concurrent.futures.Future[_Deflated]
            if self._workers == 1 or (last and self._blocks == 0):
                # Nothing to overlap with: no thread hand-off (small inputs take this).
                future = concurrent.futures.Future()
                future.set_result(deflate_block(*args))
            else:
                future = _pool(self._workers).submit(deflate_block, *args)
            self._in_flight.append((future, len(block)))
            self._blocks += 1
            self._previous_tail = block[-DICTIONARY_SIZE:]
            self._all_submitted = last

    def _produce(self) -> bytes:
        if self._header is not None:
            header, self._header = self._header, None
            return header
        self._submit_more()
        if not self._in_flight:
            return b""
        future, length = self._in_flight.popleft()
        data, block_crc = future.result()
        self._crc = crc32_combine(self._crc, block_crc, length)
        self._size += length
        if self._all_submitted and not self._in_flight:
            return data + struct.pack("<II", self._crc, self._size & 0xFFFFFFFF)
        self._submit_more()  # keep the workers busy while the caller consumes this block
        return data

    def close(self) -> None:
        for future, _ in self._in_flight:
            future.cancel()
        self._in_flight.clear()
        super().close()


class GzipDecompressor(PullReader):
    """Yields the data of every gzip member in ``source``, one after another.

    The inflater (isal, zlib-ng or zlib: :func:`_inflate.best`) checks each member's
    CRC-32 and size. Data after a member that is not another gzip member, and a
    member cut short, raise :class:`DecompressionError`.
    """

    def __init__(self, source: BinaryIO, *, inflater: _inflate.Inflater | None = None) -> None:
        super().__init__(source)
        self._inflater = _inflate.best() if inflater is None else inflater
        self._inflate = self._inflater.decompressobj(16 + zlib.MAX_WBITS)
        self._member_started = False
        self._members = 0

    def _produce(self) -> bytes:
        while True:
            inflate = self._inflate
            if inflate.eof:
                leftover = inflate.unused_data
                self._members += 1
                self._inflate = self._inflater.decompressobj(16 + zlib.MAX_WBITS)
                self._member_started = False
                data = leftover
            elif inflate.unconsumed_tail:
                data = inflate.unconsumed_tail
            else:
                data = self._source.read(CHUNK_SIZE)
                if not data:
                    if self._member_started:
                        raise DecompressionError(
                            f"gzip data is truncated (member {self._members + 1} ends early); "
                            "the blob is incomplete: fetch it again"
                        )
                    return b""
            if not data:
                continue
            if not self._member_started and not _GZIP_MAGIC.startswith(bytes(data[:2])):
                # zlib rejects a bad magic number at once; isal waits for more input.
                where = "after the last gzip member" if self._members else "in gzip data"
                raise DecompressionError(
                    f"corrupt data {where} (member {self._members + 1}): not a gzip header; "
                    "the blob is damaged: fetch it again"
                )
            self._member_started = True
            try:
                # max_length bounds memory when a small input expands enormously.
                out: bytes = self._inflate.decompress(data, CHUNK_SIZE)
            except self._inflater.error as exc:
                where = "after the last gzip member" if self._members else "in gzip data"
                raise DecompressionError(
                    f"corrupt data {where} (member {self._members + 1}): {exc}; "
                    "the blob is damaged: fetch it again"
                ) from exc
            if out:
                return out
