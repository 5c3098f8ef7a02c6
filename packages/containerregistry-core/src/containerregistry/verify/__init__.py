"""Verified reading of blobs: every byte is hashed as it is read.

:class:`VerifyingReader` raises :class:`DigestMismatchError` or
:class:`SizeMismatchError` when a blob does not match its descriptor, so a bad
download is always an error and never a silent success.
"""

from containerregistry.verify._errors import (
    DigestMismatchError,
    SizeMismatchError,
    VerificationError,
)
from containerregistry.verify._reader import VerifyingReader

__all__ = ["DigestMismatchError", "SizeMismatchError", "VerificationError", "VerifyingReader"]
