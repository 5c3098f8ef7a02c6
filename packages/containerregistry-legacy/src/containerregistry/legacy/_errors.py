"""Errors raised while writing legacy tarballs."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class LegacyTarballError(ContainerRegistryError):
    """Writing a legacy (docker save v1) tarball failed."""


class HistoryMismatchError(LegacyTarballError):
    """The config's non-empty history entries do not pair up with the image's layers."""
