"""The errors of the Google keychain, listing and walking."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class GoogleError(ContainerRegistryError):
    """Base class of the errors raised by :mod:`containerregistry.google`."""


class GoogleAuthError(GoogleError):
    """Google credentials could not be obtained or refreshed.

    Raised by the explicit authenticators (a service-account key that does not parse,
    ``gcloud`` that fails); the keychain instead falls back to anonymous access.
    """


class ListingError(GoogleError):
    """A registry's ``tags/list`` answer is not the JSON it should be, or its next-page
    link leaves the registry."""
