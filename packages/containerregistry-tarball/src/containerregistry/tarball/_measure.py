"""One-pass measurements of layer blobs: digest, size and diff_id together."""

from __future__ import annotations

import hashlib
import io
from typing import BinaryIO, cast

from containerregistry.compression import decompress
from containerregistry.v1 import Hash

_CHUNK = 1 << 20


class HashingReader(io.RawIOBase):
    """Passes ``source`` through, hashing every byte read and counting them."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self.hasher = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        readinto = getattr(self._source, "readinto", None)
        if readinto is not None:
            count = int(readinto(view) or 0)
        else:
            chunk = self._source.read(len(view))
            count = len(chunk)
            view[:count] = chunk
        self.hasher.update(view[:count])
        self.count += count
        return count

    def drain(self) -> None:
        """Read the rest of the source, so the hash covers all of it."""
        buffer = bytearray(_CHUNK)
        while self.readinto(buffer):
            pass

    def as_binary_io(self) -> BinaryIO:
        """Return ``self`` typed as :class:`typing.BinaryIO`."""
        return cast(BinaryIO, self)

    def digest(self) -> Hash:
        return Hash("sha256", self.hasher.hexdigest())

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
            finally:
                super().close()


def measure_compressed(stream: BinaryIO) -> tuple[Hash, int, Hash]:
    """Read an already compressed blob once; return its digest, size and diff_id."""
    raw = HashingReader(stream)
    with raw, decompress(raw.as_binary_io()) as plain:
        diff_id, _ = Hash.of_stream(plain)
        raw.drain()
        return raw.digest(), raw.count, diff_id


def hash_stream(stream: BinaryIO) -> tuple[Hash, int]:
    """Hash ``stream`` to its end and close it."""
    with stream:
        return Hash.of_stream(stream)
