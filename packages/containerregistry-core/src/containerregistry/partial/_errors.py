"""Errors raised while deriving image views from their cores."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class PartialError(ContainerRegistryError):
    """An image, index or layer view is inconsistent or lacks what was asked of it."""


class BlobNotFoundError(PartialError, LookupError):
    """A digest or diff ID is not listed in the image's manifest or config."""


class LayerCountMismatchError(PartialError):
    """The manifest lists a different number of layers than the config has diff IDs."""
