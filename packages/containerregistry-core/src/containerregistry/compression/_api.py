"""``compress`` and ``decompress``: streaming, lazy, and deterministic."""

from __future__ import annotations

from typing import BinaryIO

from containerregistry.compression._errors import CompressionError
from containerregistry.compression._gzip import GzipCompressor, GzipDecompressor
from containerregistry.compression._sniff import Compression, peek
from containerregistry.compression._zstd import ZstdCompressor, ZstdDecompressor


def compress(
    stream: BinaryIO,
    *,
    algorithm: Compression = Compression.GZIP,
    level: int | None = None,
    workers: int | None = None,
) -> BinaryIO:
    """Return a stream of ``stream``'s bytes compressed with ``algorithm`` (default gzip).

    Nothing is read until the result is. The same input and level give the same
    bytes on every run: gzip has mtime 0, no name and OS 255 in its header, as Go
    writes it (the deflate data is zlib's, not Go's). ``level`` defaults to 1 for
    gzip (ggcr's ``BestSpeed``; 0-9 allowed) and 3 for zstd (libzstd's default;
    1-22). ``Compression.NONE`` returns ``stream`` itself. Closing the result
    closes ``stream``.

    gzip input larger than one 1 MiB block is compressed in blocks on ``workers``
    threads (default: the cores this process may use, at most 16), with at most
    ``2 * workers`` blocks in memory; the bytes do not depend on ``workers``. zstd
    ignores ``workers`` (multi-threaded zstd frames depend on the job split).
    """
    if algorithm is Compression.GZIP:
        return GzipCompressor(stream, level, workers=workers).as_binary_io()
    if algorithm is Compression.ZSTD:
        return ZstdCompressor(stream, level).as_binary_io()
    if algorithm is Compression.NONE:
        return stream
    raise CompressionError(f"unknown compression {algorithm!r}: want one of {list(Compression)}")


def decompress(stream: BinaryIO) -> BinaryIO:
    """Return a stream of ``stream``'s data, decompressed if it is gzip or zstd.

    The format is sniffed from the magic bytes; anything else passes through
    unchanged. Concatenated gzip members (and zstd frames) are read one after
    another. gzip is inflated by python-isal or python-zlib-ng when installed (the
    ``fast`` extra), by zlib otherwise. Corrupt or truncated data raises
    :class:`~containerregistry.compression.DecompressionError` while reading.
    Closing the result closes ``stream``.
    """
    kind, stream = peek(stream)
    if kind is Compression.GZIP:
        return GzipDecompressor(stream).as_binary_io()
    if kind is Compression.ZSTD:
        return ZstdDecompressor(stream).as_binary_io()
    return stream
