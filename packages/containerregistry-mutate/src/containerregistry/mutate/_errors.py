"""Errors raised by the mutations."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class MutateError(ContainerRegistryError):
    """A mutation could not be applied to an image or index."""


class NotBasedOnError(MutateError):
    """``rebase`` was asked to replace a base the original image is not built on."""


class UnsafePathError(MutateError):
    """``extract`` met a layer entry whose name would leave the root of the filesystem."""
