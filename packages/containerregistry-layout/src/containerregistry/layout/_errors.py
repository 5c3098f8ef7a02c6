"""Errors of the layout package."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class LayoutError(ContainerRegistryError):
    """Reading or writing an OCI image layout failed."""


class InvalidLayoutError(LayoutError):
    """A layout is damaged: a missing or unreadable ``index.json``, a missing blob, a
    blob whose content does not match its digest, or an unexpected media type. The
    message names the layout and the file."""


class BlobNotFoundError(InvalidLayoutError, LookupError):
    """A blob the layout refers to is not in ``blobs/``."""
