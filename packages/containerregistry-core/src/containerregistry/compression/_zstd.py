"""zstd compression and decompression through the ``zstandard`` package (imported lazily)."""

from __future__ import annotations

from typing import Any, BinaryIO

from containerregistry.compression._errors import (
    CompressionError,
    CompressionLevelError,
    DecompressionError,
)
from containerregistry.compression._reader import CHUNK_SIZE, PullReader

#: Level 3 is libzstd's own default (the ``zstd`` CLI's and BuildKit's): ggcr's
#: klauspost level 1 bytes cannot be reproduced by libzstd at any level, so we take
#: the level that zstd tunes as its best speed/size balance; it still compresses
#: faster than gzip level 1 and smaller.
DEFAULT_LEVEL = 3
_MAX_LEVEL = 22
#: Compressed input is fed to zstd in pieces this small so that one call cannot
#: expand without bound (a 4-byte RLE block can expand to 128 KiB).
_FEED_SIZE = 1 << 12


def _zstandard() -> Any:
    try:
        import zstandard
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise CompressionError("zstd needs the 'zstandard' package: pip install zstandard") from exc
    return zstandard


class ZstdCompressor(PullReader):
    """Reads ``source`` and yields one zstd frame (single-threaded, with a checksum)."""

    def __init__(self, source: BinaryIO, level: int | None) -> None:
        level = DEFAULT_LEVEL if level is None else level
        if isinstance(level, bool) or not 1 <= level <= _MAX_LEVEL:
            raise CompressionLevelError(f"invalid zstd level {level!r}: want 1 to {_MAX_LEVEL}")
        super().__init__(source)
        zstandard = _zstandard()
        # threads=0: multi-threaded zstd frames depend on the job split.
        compressor = zstandard.ZstdCompressor(level=level, write_checksum=True, threads=0)
        self._compressor: Any = compressor.compressobj()

    def _produce(self) -> bytes:
        while self._compressor is not None:
            chunk = self._source.read(CHUNK_SIZE)
            if not chunk:
                tail: bytes = self._compressor.flush()
                self._compressor = None
                return tail
            out: bytes = self._compressor.compress(chunk)
            if out:
                return out
        return b""


class ZstdDecompressor(PullReader):
    """Yields the data of every zstd frame in ``source``; truncation is an error."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__(source)
        self._zstandard = _zstandard()
        self._frame: Any = self._new_frame()
        self._frame_started = False
        self._frames = 0
        self._input = memoryview(b"")

    def _new_frame(self) -> Any:
        return self._zstandard.ZstdDecompressor().decompressobj()

    def _produce(self) -> bytes:
        while True:
            if self._frame.eof:
                leftover = self._frame.unused_data
                self._frames += 1
                self._frame = self._new_frame()
                self._frame_started = False
                if leftover:
                    self._input = memoryview(leftover + bytes(self._input))
            if not self._input:
                data = self._source.read(CHUNK_SIZE)
                if not data:
                    if self._frame_started:
                        raise DecompressionError(
                            f"zstd data is truncated (frame {self._frames + 1} ends early); "
                            "the blob is incomplete: fetch it again"
                        )
                    return b""
                self._input = memoryview(data)
            piece, self._input = self._input[:_FEED_SIZE], self._input[_FEED_SIZE:]
            self._frame_started = True
            try:
                out: bytes = self._frame.decompress(piece)
            except self._zstandard.ZstdError as exc:
                where = "after the last zstd frame" if self._frames else "in zstd data"
                raise DecompressionError(
                    f"corrupt data {where} (frame {self._frames + 1}): {exc}; "
                    "the blob is damaged: fetch it again"
                ) from exc
            if out:
                return out
