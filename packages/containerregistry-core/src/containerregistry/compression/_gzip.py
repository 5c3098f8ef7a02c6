"""Deterministic gzip compression and multi-member gzip decompression on zlib."""

from __future__ import annotations

import struct
import zlib
from typing import BinaryIO

from containerregistry.compression._errors import CompressionLevelError, DecompressionError
from containerregistry.compression._reader import CHUNK_SIZE, PullReader

#: ggcr compresses layers at gzip.BestSpeed.
DEFAULT_LEVEL = 1
_FLAG_METHOD_DEFLATE = 8
_OS_UNKNOWN = 255  # what Go writes: the header must not depend on the machine


def _header(level: int) -> bytes:
    # XFL says "maximum compression" (2) at level 9 and "fastest" (4) at level 1,
    # as Go's compress/gzip sets it; other levels leave it 0.
    extra_flags = {9: 2, 1: 4}.get(level, 0)
    # magic, method, no flags (so no name or comment), mtime 0, XFL, OS
    return struct.pack(
        "<2sBBIBB", b"\x1f\x8b", _FLAG_METHOD_DEFLATE, 0, 0, extra_flags, _OS_UNKNOWN
    )


class GzipCompressor(PullReader):
    """Reads ``source`` and yields one gzip member: our header, raw deflate, CRC and size.

    Output depends only on the input bytes and the level (and the zlib build), never
    on time, file names or how the source splits its reads.
    """

    def __init__(self, source: BinaryIO, level: int | None) -> None:
        level = DEFAULT_LEVEL if level is None else level
        if isinstance(level, bool) or not 0 <= level <= 9:
            raise CompressionLevelError(f"invalid gzip level {level!r}: want 0 (store) to 9 (best)")
        super().__init__(source)
        self._header: bytes | None = _header(level)
        self._deflate: zlib._Compress | None = zlib.compressobj(
            level, zlib.DEFLATED, -zlib.MAX_WBITS
        )
        self._crc = 0
        self._size = 0

    def _produce(self) -> bytes:
        if self._header is not None:
            header, self._header = self._header, None
            return header
        while self._deflate is not None:
            chunk = self._source.read(CHUNK_SIZE)
            if not chunk:
                tail = self._deflate.flush(zlib.Z_FINISH)
                self._deflate = None
                return tail + struct.pack("<II", self._crc, self._size & 0xFFFFFFFF)
            self._crc = zlib.crc32(chunk, self._crc)
            self._size += len(chunk)
            out = self._deflate.compress(chunk)
            if out:
                return out
        return b""


class GzipDecompressor(PullReader):
    """Yields the data of every gzip member in ``source``, one after another.

    zlib checks each member's CRC-32 and size. Data after a member that is not
    another gzip member, and a member cut short, raise :class:`DecompressionError`.
    """

    def __init__(self, source: BinaryIO) -> None:
        super().__init__(source)
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._member_started = False
        self._members = 0

    def _produce(self) -> bytes:
        while True:
            inflate = self._inflate
            if inflate.eof:
                leftover = inflate.unused_data
                self._members += 1
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
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
            self._member_started = True
            try:
                # max_length bounds memory when a small input expands enormously.
                out = self._inflate.decompress(data, CHUNK_SIZE)
            except zlib.error as exc:
                where = "after the last gzip member" if self._members else "in gzip data"
                raise DecompressionError(
                    f"corrupt data {where} (member {self._members + 1}): {exc}; "
                    "the blob is damaged: fetch it again"
                ) from exc
            if out:
                return out
