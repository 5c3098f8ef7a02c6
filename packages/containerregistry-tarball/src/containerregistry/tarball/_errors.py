"""Errors of the tarball package."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class TarballError(ContainerRegistryError):
    """Reading or writing a ``docker save`` tarball failed."""


class InvalidTarballError(TarballError):
    """A tarball is corrupt, truncated or hostile; the message names the file and entry.

    Raised for a missing or ``null`` ``manifest.json``, entries with ``..`` or
    absolute names, links that loop or point outside the archive, blobs whose
    digest does not match their name or the config, and truncated archives.
    """


class TagNotFoundError(TarballError):
    """The tag asked for is not in the tarball's ``manifest.json``."""


class LayerOptionError(TarballError, ValueError):
    """Layer options conflict or are out of range (e.g. ``compression=NONE``)."""
