"""Errors raised when a blob does not match its descriptor."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError
from containerregistry.v1._hash import Hash


class VerificationError(ContainerRegistryError):
    """A blob read does not match the digest or size it was promised to have."""


class DigestMismatchError(VerificationError):
    """The bytes read hash to a different digest than expected."""

    def __init__(self, expected: Hash, actual: Hash) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"digest mismatch: expected {expected}, got {actual}; the blob is corrupt or "
            "was changed in transit: fetch it again, and check the source if it persists"
        )


class SizeMismatchError(VerificationError):
    """More or fewer bytes arrived than the expected size."""

    def __init__(self, expected: int, actual: int, *, digest: Hash, finished: bool) -> None:
        self.expected = expected
        self.actual = actual
        self.digest = digest
        if finished:
            problem = f"ended after {actual} bytes"
        else:
            problem = f"sent at least {actual} bytes"
        super().__init__(
            f"size mismatch for blob {digest}: expected {expected} bytes, the stream {problem}; "
            "the blob is truncated or not the one described: fetch it again"
        )
