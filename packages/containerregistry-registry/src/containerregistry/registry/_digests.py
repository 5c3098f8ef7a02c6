"""Digest parsing that answers with the registry's error codes."""

from __future__ import annotations

from containerregistry.registry._errors import RegistryError
from containerregistry.v1 import BadHashError, Hash


def parse_digest(text: str, *, code: str, what: str) -> Hash:
    """Parse ``sha256:<hex>``; a bad digest is a :class:`RegistryError` with ``code``."""
    try:
        return Hash.parse(text)
    except BadHashError as exc:
        raise RegistryError(code, f"{what} {text!r} is not a valid digest: {exc}") from None


def sha256_digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data``."""
    return str(Hash.of(data))
