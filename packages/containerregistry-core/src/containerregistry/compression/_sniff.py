"""Recognizing compressed data by its first bytes."""

from __future__ import annotations

import enum
from typing import BinaryIO

from containerregistry.compression._reader import PullReader, read_full

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: Bytes needed to tell every supported format apart (zstd's magic is the longest).
PEEK_SIZE = len(_ZSTD_MAGIC)


class Compression(enum.Enum):
    """A compression algorithm of layer blobs; the value is ggcr's name for it."""

    NONE = "none"
    GZIP = "gzip"
    ZSTD = "zstd"


def sniff(prefix: bytes) -> Compression:
    """Return the compression whose magic number starts ``prefix`` (gzip ``1f8b``,
    zstd ``28b52ffd``), or ``Compression.NONE``."""
    if prefix.startswith(_GZIP_MAGIC):
        return Compression.GZIP
    if prefix.startswith(_ZSTD_MAGIC):
        return Compression.ZSTD
    return Compression.NONE


class _PrefixedReader(PullReader):
    """Gives back the peeked bytes, then reads straight from the source."""

    def __init__(self, prefix: bytes, source: BinaryIO) -> None:
        super().__init__(source)
        self._pending = memoryview(prefix)

    def _produce(self) -> bytes:
        return self._source.read(1 << 20)

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._pending:
            return super().readinto(buffer)
        self._check_open()
        readinto = getattr(self._source, "readinto", None)
        if readinto is None:
            return super().readinto(buffer)
        return int(readinto(buffer) or 0)  # straight into the caller's buffer

    def read(self, size: int | None = -1) -> bytes:
        if self._pending or size is None or size < 0:
            return super().read(size)
        self._check_open()
        return self._source.read(size)


def peek(stream: BinaryIO) -> tuple[Compression, BinaryIO]:
    """Sniff the compression of ``stream`` without losing bytes.

    Returns the compression and a stream that still yields everything, the peeked
    bytes included (closing it closes ``stream``).
    """
    prefix = read_full(stream, PEEK_SIZE)
    return sniff(prefix), _PrefixedReader(prefix, stream).as_binary_io()
