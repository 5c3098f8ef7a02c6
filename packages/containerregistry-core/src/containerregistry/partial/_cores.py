"""The small cores a source implements; ``partial`` derives full views from them."""

from __future__ import annotations

from typing import BinaryIO, Protocol, runtime_checkable

from containerregistry.v1 import Hash


@runtime_checkable
class CompressedLayerCore(Protocol):
    """A layer known by its blob as stored: digest, size, media type and the bytes.

    It may also define ``diff_id()``, ``descriptor()`` or ``uncompressed_size()``;
    the derived layer then uses them instead of computing.
    """

    def digest(self) -> Hash:
        """Return the sha256 of the compressed blob."""
        ...

    def compressed(self) -> BinaryIO:
        """Open the compressed blob."""
        ...

    def size(self) -> int:
        """Return the size in bytes of the compressed blob."""
        ...

    def media_type(self) -> str:
        """Return the media type of the blob."""
        ...


@runtime_checkable
class UncompressedLayerCore(Protocol):
    """A layer known by its uncompressed tar: diff ID, media type and the bytes."""

    def diff_id(self) -> Hash:
        """Return the sha256 of the uncompressed tar."""
        ...

    def uncompressed(self) -> BinaryIO:
        """Open the uncompressed tar."""
        ...

    def media_type(self) -> str:
        """Return the media type the compressed blob will have."""
        ...


@runtime_checkable
class CompressedImageCore(Protocol):
    """An image known by its raw manifest and config and a way to get layers by digest."""

    def raw_manifest(self) -> bytes:
        """Return the manifest as stored."""
        ...

    def raw_config_file(self) -> bytes:
        """Return the config as stored."""
        ...

    def media_type(self) -> str:
        """Return the media type of the manifest."""
        ...

    def layer_by_digest(self, digest: Hash) -> CompressedLayerCore:
        """Return the layer (or config blob) with compressed digest ``digest``."""
        ...


@runtime_checkable
class UncompressedImageCore(Protocol):
    """An image known by its raw config and a way to get uncompressed layers by diff ID."""

    def raw_config_file(self) -> bytes:
        """Return the config as stored."""
        ...

    def media_type(self) -> str:
        """Return the media type of the manifest to synthesize."""
        ...

    def layer_by_diff_id(self, diff_id: Hash) -> UncompressedLayerCore:
        """Return the layer whose uncompressed digest is ``diff_id``."""
        ...
