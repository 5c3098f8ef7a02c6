"""Errors of single-pass stream layers."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class StreamLayerError(ContainerRegistryError):
    """A stream layer was used in a way a single-pass stream cannot support."""


class NotComputedError(StreamLayerError):
    """Digest, diff_id or size was asked before the stream was read to its end and closed."""


class ConsumedError(StreamLayerError):
    """``compressed()`` was called a second time: the source can be read only once."""


class UncompressedUnavailableError(StreamLayerError):
    """A stream layer cannot give its uncompressed contents (the source is read once)."""
