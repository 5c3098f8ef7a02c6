"""Content digests: ``Hash`` is ``<algorithm>:<hex>``, as in OCI descriptors."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError

# `import typing` would bring `re`, and hashlib loads OpenSSL: neither is needed
# to parse, compare or print a digest. mypy treats TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import hashlib
    from typing import BinaryIO

#: Hex lengths of the algorithms ggcr accepts; only sha256 can be computed.
_HEX_LENGTHS = {"sha256": 64}
_HEX_DIGITS = frozenset("0123456789abcdef")
#: Read size when hashing a stream: large enough that the per-call overhead of
#: Python is negligible next to hashlib's own speed.
_CHUNK_SIZE = 1 << 20


class BadHashError(ContainerRegistryError, ValueError):
    """A string is not a valid ``sha256:<64 lowercase hex>`` digest."""


class Hash:
    """An immutable content digest such as ``sha256:e3b0c442...``.

    ``str(h)`` gives the ``algorithm:hex`` form used in JSON, URLs and tags. Hashes
    compare, order and hash as the pair ``(algorithm, hex)``, and pickle.
    """

    # A plain class with slots rather than a frozen dataclass: every reference,
    # descriptor and blob carries one, and `import dataclasses` (inspect, ast, dis)
    # plus the generated methods would be most of the cost of importing v1.
    __slots__ = ("algorithm", "hex")
    __match_args__ = ("algorithm", "hex")

    algorithm: str
    hex: str

    def __init__(self, algorithm: str, hex: str) -> None:
        expected = _HEX_LENGTHS.get(algorithm)
        if expected is None:
            raise BadHashError(
                f"unsupported digest algorithm {algorithm!r} in "
                f"{algorithm}:{hex}; only sha256 is supported"
            )
        if len(hex) != expected or not _HEX_DIGITS.issuperset(hex):
            raise BadHashError(
                f"invalid {algorithm} digest {algorithm}:{hex!r}: "
                f"want {expected} lowercase hex characters"
            )
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "hex", hex)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: Hash is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: Hash is immutable")

    def __reduce__(self) -> tuple[type[Hash], tuple[str, str]]:
        return (Hash, (self.algorithm, self.hex))

    def __repr__(self) -> str:
        return f"Hash(algorithm={self.algorithm!r}, hex={self.hex!r})"

    def __hash__(self) -> int:
        return hash((self.algorithm, self.hex))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Hash)
        return self.algorithm == other.algorithm and self.hex == other.hex

    def __lt__(self, other: Hash) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.algorithm, self.hex) < (other.algorithm, other.hex)

    def __le__(self, other: Hash) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.algorithm, self.hex) <= (other.algorithm, other.hex)

    def __gt__(self, other: Hash) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.algorithm, self.hex) > (other.algorithm, other.hex)

    def __ge__(self, other: Hash) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.algorithm, self.hex) >= (other.algorithm, other.hex)

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
        import hashlib

        return cls("sha256", hashlib.sha256(data).hexdigest())

    @classmethod
    def of_stream(cls, stream: BinaryIO) -> tuple[Hash, int]:
        """Read ``stream`` to its end; return its sha256 digest and its size in bytes."""
        import hashlib

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
        import hashlib

        return hashlib.new(self.algorithm)
