"""Compression of layer blobs: sniffing gzip and zstd, and streaming (de)compression.

``compress`` is deterministic (same input and level, same bytes), so digests of
layers we compress are stable; ``decompress`` sniffs its input and passes
uncompressed data through.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.compression._api import compress, decompress
    from containerregistry.compression._errors import (
        CompressionError,
        CompressionLevelError,
        DecompressionError,
    )
    from containerregistry.compression._sniff import Compression, peek, sniff

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "compress": "_api",
    "Compression": "_sniff",
    "CompressionError": "_errors",
    "CompressionLevelError": "_errors",
    "decompress": "_api",
    "DecompressionError": "_errors",
    "peek": "_sniff",
    "sniff": "_sniff",
}

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


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
