"""Errors of the compression package."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class CompressionError(ContainerRegistryError):
    """Compressing or decompressing a stream failed."""


class DecompressionError(CompressionError):
    """Compressed data is corrupt or truncated (the blob is damaged: fetch it again)."""


class CompressionLevelError(CompressionError, ValueError):
    """A compression level is out of range for its algorithm."""
