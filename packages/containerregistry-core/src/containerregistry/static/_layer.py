"""``static.Layer``: a layer held in memory whose blob is stored uncompressed."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, BinaryIO

from containerregistry.v1._hash import Hash


class Layer:
    """A layer made of ``data`` as is: compressed and uncompressed are the same bytes.

    So :meth:`digest` equals :meth:`diff_id` (as ggcr's ``static.NewLayer``). Use it
    for small blobs such as configs or artifacts; ``media_type`` is required.
    """

    def __init__(self, data: bytes, media_type: str) -> None:
        self._data = bytes(data)
        self._media_type = media_type
        self._digest: Hash | None = None

    def digest(self) -> Hash:
        """Return the sha256 of the data (computed once)."""
        if self._digest is None:
            self._digest = Hash.of(self._data)
        return self._digest

    def diff_id(self) -> Hash:
        """Return the sha256 of the data: the same as :meth:`digest`."""
        return self.digest()

    def compressed(self) -> BinaryIO:
        """Open the data; each call returns a new stream."""
        return io.BytesIO(self._data)

    def uncompressed(self) -> BinaryIO:
        """Open the data; each call returns a new stream."""
        return io.BytesIO(self._data)

    def size(self) -> int:
        """Return the length of the data in bytes."""
        return len(self._data)

    def media_type(self) -> str:
        """Return the media type given at construction."""
        return self._media_type


if TYPE_CHECKING:
    from containerregistry.v1._protocols import Layer as _LayerProtocol

    def _satisfies_layer_protocol(layer: Layer) -> _LayerProtocol:
        return layer
