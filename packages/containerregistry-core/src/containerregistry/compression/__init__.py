"""Compression of layer blobs: sniffing gzip and zstd, and streaming (de)compression.

``compress`` is deterministic (same input and level, same bytes), so digests of
layers we compress are stable; ``decompress`` sniffs its input and passes
uncompressed data through.
"""

from containerregistry.compression._api import compress, decompress
from containerregistry.compression._errors import (
    CompressionError,
    CompressionLevelError,
    DecompressionError,
)
from containerregistry.compression._sniff import Compression, peek, sniff

__all__ = [
    "Compression",
    "CompressionError",
    "CompressionLevelError",
    "DecompressionError",
    "compress",
    "decompress",
    "peek",
    "sniff",
]
