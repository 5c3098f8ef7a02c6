"""Every error of the package is a ContainerRegistryError with a clear base."""

from __future__ import annotations

import pytest

from containerregistry import google
from containerregistry.errors import ContainerRegistryError


@pytest.mark.parametrize("error", [google.GoogleAuthError, google.ListingError])
def test_errors_share_one_base(error: type[Exception]) -> None:
    assert issubclass(error, google.GoogleError)
    assert issubclass(error, ContainerRegistryError)


def test_public_names_are_sorted_and_present() -> None:
    assert google.__all__ == sorted(google.__all__, key=lambda n: (not n.isupper(), n))
    for public in google.__all__:
        assert hasattr(google, public)
