"""Layers from bytes in memory, as ggcr's ``pkg/v1/static``.

A :class:`Layer` stores its data uncompressed, so its digest is its diff_id.
"""

from containerregistry.static._layer import Layer

__all__ = ["Layer"]
