"""``VerifyingReader``: hash while reading, check digest and size at the end."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO, cast

from containerregistry.v1._hash import Hash
from containerregistry.verify._errors import (
    DigestMismatchError,
    SizeMismatchError,
    VerificationError,
)

#: ``read()`` with no size is served in pieces this big.
_CHUNK_SIZE = 1 << 20


class VerifyingReader(io.RawIOBase):
    """A read-only stream over ``stream`` that checks ``digest`` (and ``size``) as it goes.

    Every byte read is hashed. Reading past ``size`` raises
    :class:`SizeMismatchError` at once; at end of stream a short read raises
    :class:`SizeMismatchError` and a wrong hash :class:`DigestMismatchError`. An
    error, once raised, is raised again by every later read. ``size=None`` skips
    the size checks. ``describe`` (default None: the mismatch itself is raised)
    turns a mismatch into the error to raise instead, so that a caller can name the
    file the blob came from; the mismatch is its ``__cause__``. Closing the reader
    closes ``stream``.

    Use ``readinto`` with a large buffer (1 MiB) for full speed: hashing then runs
    on the caller's buffer with no extra copy.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        digest: Hash,
        size: int | None,
        describe: Callable[[VerificationError], Exception] | None = None,
    ) -> None:
        super().__init__()
        if size is not None and size < 0:
            raise ValueError(f"invalid expected size {size} for {digest}: want >= 0")
        self._stream = stream
        self._expected = digest
        self._size = size
        self._hasher = digest.hasher()
        self._count = 0
        self._verified = False
        self._error: Exception | None = None
        self._describe = describe
        self._readinto = getattr(stream, "readinto", None)

    @property
    def bytes_read(self) -> int:
        """How many bytes have been read so far."""
        return self._count

    def checks(self, digest: Hash, size: int | None) -> bool:
        """Whether reading this to its end checks ``digest`` and, unless None, ``size``.

        A consumer that must verify a stream can skip hashing it a second time.
        """
        return digest == self._expected and (size is None or size == self._size)

    @property
    def verified(self) -> bool:
        """Whether the stream was read to its end and matched."""
        return self._verified

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._error is not None:
            raise self._error
        view = memoryview(buffer).cast("B")
        if self._readinto is not None:
            count = self._readinto(view) or 0
        else:
            chunk = self._stream.read(len(view))
            count = len(chunk)
            view[:count] = chunk
        if count:
            self._hasher.update(view[:count])
            self._grow(count)
        elif len(view):
            self._finish()
        return count

    def read(self, size: int | None = -1) -> bytes:
        if self._error is not None:
            raise self._error
        if size is None or size < 0:
            return self.readall()
        chunk = self._stream.read(size)
        if chunk:
            self._hasher.update(chunk)
            self._grow(len(chunk))
        elif size:
            self._finish()
        return chunk

    def readall(self) -> bytes:
        parts: list[bytes] = []
        while True:
            chunk = self.read(_CHUNK_SIZE)
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)

    def close(self) -> None:
        if not self.closed:
            try:
                self._stream.close()
            finally:
                super().close()

    def as_binary_io(self) -> BinaryIO:
        """Return ``self`` typed as :class:`typing.BinaryIO`."""
        return cast(BinaryIO, self)

    def _grow(self, count: int) -> None:
        self._count += count
        if self._size is not None and self._count > self._size:
            self._fail(
                SizeMismatchError(self._size, self._count, digest=self._expected, finished=False)
            )

    def _finish(self) -> None:
        if self._verified:
            return
        if self._size is not None and self._count != self._size:
            self._fail(
                SizeMismatchError(self._size, self._count, digest=self._expected, finished=True)
            )
        actual = Hash(self._expected.algorithm, self._hasher.hexdigest())
        if actual != self._expected:
            self._fail(DigestMismatchError(self._expected, actual))
        self._verified = True

    def _fail(self, error: VerificationError) -> None:
        raised: Exception = error
        if self._describe is not None:
            raised = self._describe(error)
            raised.__cause__ = error
        self._error = raised
        raise raised
