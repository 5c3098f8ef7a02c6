"""Content digests: ``Hash`` is ``<algorithm>:<hex>``, as in OCI descriptors."""

from __future__ import annotations

import dataclasses
import hashlib
from typing import BinaryIO

from containerregistry.errors import ContainerRegistryError

#: Hex lengths of the algorithms ggcr accepts; only sha256 can be computed.
_HEX_LENGTHS = {"sha256": 64}
_HEX_DIGITS = frozenset("0123456789abcdef")
#: Read size when hashing a stream: large enough that the per-call overhead of
#: Python is negligible next to hashlib's own speed.
_CHUNK_SIZE = 1 << 20


class BadHashError(ContainerRegistryError, ValueError):
    """A string is not a valid ``sha256:<64 lowercase hex>`` digest."""


@dataclasses.dataclass(frozen=True, order=True)
class Hash:
    """An immutable content digest such as ``sha256:e3b0c442...``.

    ``str(h)`` gives the ``algorithm:hex`` form used in JSON, URLs and tags.
    """

    algorithm: str
    hex: str

    def __post_init__(self) -> None:
        expected = _HEX_LENGTHS.get(self.algorithm)
        if expected is None:
            raise BadHashError(
                f"unsupported digest algorithm {self.algorithm!r} in "
                f"{self.algorithm}:{self.hex}; only sha256 is supported"
            )
        if len(self.hex) != expected or not _HEX_DIGITS.issuperset(self.hex):
            raise BadHashError(
                f"invalid {self.algorithm} digest {self.algorithm}:{self.hex!r}: "
                f"want {expected} lowercase hex characters"
            )

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    @classmethod
    def parse(cls, text: str) -> Hash:
        """Parse ``"sha256:<hex>"``; raise :class:`BadHashError` naming the input."""
        algorithm, sep, hex_part = text.partition(":")
        if not sep:
            raise BadHashError(f"invalid digest {text!r}: want the form sha256:<64 hex characters>")
        return cls(algorithm, hex_part)

    @classmethod
    def of(cls, data: bytes) -> Hash:
        """Return the sha256 digest of ``data``."""
        return cls("sha256", hashlib.sha256(data).hexdigest())

    @classmethod
    def of_stream(cls, stream: BinaryIO) -> tuple[Hash, int]:
        """Read ``stream`` to its end; return its sha256 digest and its size in bytes."""
        hasher = hashlib.sha256()
        size = 0
        buffer = bytearray(_CHUNK_SIZE)
        view = memoryview(buffer)
        readinto = getattr(stream, "readinto", None)
        while True:
            if readinto is not None:
                count = readinto(view)
                if not count:
                    break
                hasher.update(view[:count])
            else:
                chunk = stream.read(_CHUNK_SIZE)
                if not chunk:
                    break
                count = len(chunk)
                hasher.update(chunk)
            size += count
        return cls("sha256", hasher.hexdigest()), size

    def hasher(self) -> hashlib._Hash:
        """Return a fresh hashlib object for this digest's algorithm."""
        return hashlib.new(self.algorithm)
