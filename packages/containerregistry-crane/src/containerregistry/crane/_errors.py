"""The errors of the high-level crane API."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class CraneError(ContainerRegistryError):
    """Base class of the errors raised by :mod:`containerregistry.crane`."""


class CraneOptionsError(CraneError, ValueError):
    """Options that are invalid or conflict (e.g. both ``keychain`` and ``authenticator``)."""


class RefusingToClobberError(CraneError):
    """``no_clobber`` is set and the destination tag already exists."""


class InputError(CraneError):
    """A local image input (a tarball or an OCI layout) cannot be read as asked."""


class FormatNotAvailableError(CraneError):
    """An output format whose writer is not installed or not written yet."""
