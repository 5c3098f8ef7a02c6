"""Layers from a stream that is read exactly once, as ggcr's ``pkg/v1/stream``.

:class:`Layer` gzips its source while it is being written somewhere; its digest,
diff_id and size are known only after that single pass.
"""

from containerregistry.stream._errors import (
    ConsumedError,
    NotComputedError,
    StreamLayerError,
    UncompressedUnavailableError,
)
from containerregistry.stream._layer import Layer

__all__ = [
    "ConsumedError",
    "Layer",
    "NotComputedError",
    "StreamLayerError",
    "UncompressedUnavailableError",
]
