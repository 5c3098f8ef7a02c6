"""``stream.Layer``: a layer built from a stream that can be read exactly once."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, TypeVar, cast

from containerregistry.compression import Compression, CompressionLevelError, compress
from containerregistry.stream._errors import (
    ConsumedError,
    NotComputedError,
    UncompressedUnavailableError,
)
from containerregistry.types import DOCKER_LAYER
from containerregistry.v1._hash import Hash

#: Size of the reads that feed gzip.
_CHUNK_SIZE = 1 << 20

_T = TypeVar("_T")


class Layer:
    """A layer whose tar comes from ``reader`` and is gzipped while it is uploaded.

    Single pass, as ggcr's ``stream.NewLayer``: :meth:`compressed` may be called
    once (then :class:`ConsumedError`) and always gzips, even input that is already
    compressed. :meth:`digest`, :meth:`diff_id` and :meth:`size` raise
    :class:`NotComputedError` until that stream has been read to its end and
    closed; :meth:`uncompressed` raises :class:`UncompressedUnavailableError`.

    ``compression_level``: gzip level (default 1, ggcr's ``BestSpeed``).
    ``media_type``: default the Docker layer type, as ggcr. ``reopen`` (default
    None; beyond ggcr) opens the source again from its start: :meth:`compressed`
    may then be called again, and each later call gzips a fresh copy. The gzip
    output is deterministic, so an upload that broke can be resumed from the
    registry's offset instead of failing.
    """

    def __init__(
        self,
        reader: BinaryIO,
        *,
        compression_level: int = 1,
        media_type: str = DOCKER_LAYER,
        reopen: Callable[[], BinaryIO] | None = None,
    ) -> None:
        if isinstance(compression_level, bool) or not 0 <= compression_level <= 9:
            raise CompressionLevelError(
                f"invalid gzip level {compression_level!r} for a stream layer: want 0 to 9"
            )
        self._reader = reader
        self._reopen = reopen
        self._level = compression_level
        self._media_type = media_type
        self._lock = threading.Lock()
        self._consumed = False
        self._digest: Hash | None = None
        self._diff_id: Hash | None = None
        self._size: int | None = None

    def compressed(self) -> BinaryIO:
        """Return the gzip stream; read it to the end and close it to compute the digests."""
        with self._lock:
            again = self._consumed
            if again and self._reopen is None:
                raise ConsumedError(
                    "this stream layer was already read: compressed() works once; "
                    "build a new stream.Layer (or a tarball layer) to read it again"
                )
            self._consumed = True
        tee = _HashingReader(self._reopen() if again and self._reopen else self._reader)
        gzipped = compress(tee.as_binary_io(), algorithm=Compression.GZIP, level=self._level)
        return _CompressedStream(self, tee, gzipped).as_binary_io()

    @property
    def reopenable(self) -> bool:
        """Whether :meth:`compressed` may be called again (a ``reopen`` was given).

        A writer that may need the bytes twice (an upload resumed after the registry
        forgot it) keeps a copy of a layer that is not.
        """
        return self._reopen is not None

    def uncompressed(self) -> BinaryIO:
        """Always raises :class:`UncompressedUnavailableError` (as ggcr's stream layer)."""
        raise UncompressedUnavailableError(
            "a stream layer cannot be opened uncompressed: its source is read once, by "
            "compressed(); use a tarball or static layer to read it both ways"
        )

    def digest(self) -> Hash:
        """Return the sha256 of the gzip stream, once it was read and closed."""
        return self._computed(self._digest, "digest")

    def diff_id(self) -> Hash:
        """Return the sha256 of the source bytes, once the gzip stream was read and closed."""
        return self._computed(self._diff_id, "diff_id")

    def size(self) -> int:
        """Return the size of the gzip stream, once it was read and closed."""
        return self._computed(self._size, "size")

    def media_type(self) -> str:
        """Return the media type given at construction (default Docker's layer type)."""
        return self._media_type

    def _computed(self, value: _T | None, what: str) -> _T:
        if value is None:
            raise NotComputedError(
                f"the {what} of a stream layer is not known until compressed() has been "
                "read to its end and closed"
            )
        return value

    def _publish(self, digest: Hash, diff_id: Hash, size: int) -> None:
        with self._lock:
            self._digest, self._diff_id, self._size = digest, diff_id, size


class _HashingReader(io.RawIOBase):
    """Passes the source through while hashing it: the diff_id."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self.source = source
        self.hasher = hashlib.sha256()
        self.count = 0
        self.at_eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self.source.read(_CHUNK_SIZE if size is None or size < 0 else size)
        if chunk:
            self.hasher.update(chunk)
            self.count += len(chunk)
        elif size != 0:
            self.at_eof = True
        return chunk

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        chunk = self.read(len(buffer))
        memoryview(buffer).cast("B")[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            try:
                self.source.close()
            finally:
                super().close()

    def as_binary_io(self) -> BinaryIO:
        return cast(BinaryIO, self)


class _CompressedStream(io.RawIOBase):
    """The gzip stream handed out by ``compressed()``: hashes it, publishes on close."""

    def __init__(self, layer: Layer, tee: _HashingReader, gzipped: BinaryIO) -> None:
        super().__init__()
        self._layer = layer
        self._tee = tee
        self._gzipped = gzipped
        self._readinto = cast(io.RawIOBase, gzipped).readinto  # our gzip stream has it
        self._hasher = hashlib.sha256()
        self._count = 0
        self._at_eof = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        chunk = self._gzipped.read(size)
        if chunk:
            self._hasher.update(chunk)
            self._count += len(chunk)
        elif size:
            self._at_eof = True
        return chunk

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        count = self._readinto(view) or 0
        if count:
            self._hasher.update(view[:count])
            self._count += count
        elif len(view):
            self._at_eof = True
        return count

    def readall(self) -> bytes:
        parts: list[bytes] = []
        while True:
            chunk = self.read(_CHUNK_SIZE)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._gzipped.close()  # closes the tee and the source
        finally:
            super().close()
        if self._at_eof and self._tee.at_eof:
            self._layer._publish(
                Hash("sha256", self._hasher.hexdigest()),
                Hash("sha256", self._tee.hasher.hexdigest()),
                self._count,
            )

    def as_binary_io(self) -> BinaryIO:
        return cast(BinaryIO, self)


if TYPE_CHECKING:
    from containerregistry.v1._protocols import Layer as _LayerProtocol

    def _satisfies_layer_protocol(layer: Layer) -> _LayerProtocol:
        return layer
