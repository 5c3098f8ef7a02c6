"""Layers whose blob comes from an opener: files, tar entries, spooled streams."""

from __future__ import annotations

import io
import os
import threading
from typing import TYPE_CHECKING, BinaryIO, cast

from containerregistry import types
from containerregistry.compression import Compression, compress, decompress, peek
from containerregistry.tarball._archive import Opener
from containerregistry.tarball._errors import InvalidTarballError, LayerOptionError
from containerregistry.tarball._measure import hash_stream, measure_compressed
from containerregistry.tarball._spool import Spool, spool_compressed
from containerregistry.v1 import Descriptor, Hash
from containerregistry.verify import DigestMismatchError, VerificationError, VerifyingReader

#: ggcr compresses layers at gzip.BestSpeed: fast, and what crane users expect.
DEFAULT_LEVEL = 1
_LEVELS = {Compression.GZIP: range(10), Compression.ZSTD: range(1, 23)}


class BlobLayer:
    """A layer over ``opener``; its blob is the source itself when that is compressed.

    An uncompressed source is compressed (deterministically) once, when its digest
    is first needed, into a :class:`~containerregistry.tarball._spool.Spool` (memory
    while small, an unnamed temporary file beyond that, released with the layer);
    :meth:`compressed` then reads that copy. Digest, size and diff_id may be given
    (when known) or are computed on first use, each source read at most once for
    that. ``named`` (default False) says that the given ``digest`` is the one the
    entry's name gives: a read of a blob that does not match it raises
    :class:`InvalidTarballError` saying so. ``spool`` is the compressed blob when the
    caller made it already (with its digest, size and diff_id).
    """

    def __init__(
        self,
        opener: Opener,
        *,
        label: str,
        source_compression: Compression,
        media_type: str,
        algorithm: Compression = Compression.GZIP,
        level: int = DEFAULT_LEVEL,
        digest: Hash | None = None,
        size: int | None = None,
        diff_id: Hash | None = None,
        descriptor: Descriptor | None = None,
        named: bool = False,
        spool: Spool | None = None,
    ) -> None:
        self._opener = opener
        self._named = named
        self._label = label
        self._source_compression = source_compression
        self._media_type = media_type
        self._algorithm = algorithm
        self._level = level
        self._digest = digest
        self._size = size
        self._diff_id = diff_id
        self._descriptor = descriptor
        self._spool = spool
        self._lock = threading.Lock()

    @property
    def is_compressed_source(self) -> bool:
        """Whether the source bytes are already gzip or zstd (and used as they are)."""
        return self._source_compression is not Compression.NONE

    def _ensure_blob(self) -> tuple[Hash, int]:
        with self._lock:
            if self._digest is None or self._size is None:
                if self.is_compressed_source:
                    self._digest, self._size = hash_stream(self._opener())
                else:
                    spool, digest, size, diff_id = spool_compressed(
                        self._opener(), algorithm=self._algorithm, level=self._level
                    )
                    if self._diff_id is not None and diff_id != self._diff_id:
                        spool.close()
                        raise InvalidTarballError(
                            f"{self._label} has diff_id {diff_id} but the config says "
                            f"{self._diff_id}: the tarball is corrupt or was altered"
                        )
                    self._spool = spool
                    self._digest, self._size, self._diff_id = digest, size, diff_id
            return self._digest, self._size

    def digest(self) -> Hash:
        """Return the sha256 of the compressed blob."""
        return self._ensure_blob()[0]

    def size(self) -> int:
        """Return the size in bytes of the compressed blob."""
        return self._ensure_blob()[1]

    def diff_id(self) -> Hash:
        """Return the sha256 of the uncompressed tar."""
        with self._lock:
            if self._diff_id is None:
                stream = self._opener()
                if self.is_compressed_source:
                    stream = decompress(stream)
                self._diff_id, _ = hash_stream(stream)
            return self._diff_id

    def compressed(self) -> BinaryIO:
        """Open the blob: the source as is, or the source compressed. Verified at its end.

        An uncompressed source is compressed on the first call (or the first digest
        asked) and read from that copy on every call after.
        """
        if self._descriptor is not None and not types.is_distributable(self._media_type):
            # A foreign layer's descriptor names the blob at its URLs; what the
            # tarball holds may be its uncompressed form, so it is passed on unverified.
            stream = self._opener()
            if self.is_compressed_source:
                return stream
            return compress(stream, algorithm=self._algorithm, level=self._level)
        digest, size = self._ensure_blob()
        if self._spool is not None:
            stream = self._spool.open()
        else:
            stream = self._opener()
            if not self.is_compressed_source:
                stream = compress(stream, algorithm=self._algorithm, level=self._level)
        return VerifyingReader(
            stream, digest=digest, size=size, describe=self._mismatch
        ).as_binary_io()

    def _mismatch(self, error: VerificationError) -> Exception:
        """The error a read that does not match raises: it names the entry."""
        if isinstance(error, DigestMismatchError) and self._named:
            return InvalidTarballError(
                f"{self._label} holds content with digest {error.actual}, not the "
                f"{error.expected} its name says: the tarball is corrupt or was altered"
            )
        return InvalidTarballError(f"{self._label}: {error}")

    def uncompressed(self) -> BinaryIO:
        """Open the uncompressed tar, verified against the diff_id at its end."""
        diff_id = self.diff_id()
        stream = self._opener()
        if self.is_compressed_source:
            stream = decompress(stream)
        return VerifyingReader(stream, digest=diff_id, size=None).as_binary_io()

    def media_type(self) -> str:
        """Return the media type of the blob."""
        return self._media_type

    def descriptor(self) -> Descriptor:
        """Return the descriptor a manifest lists for this layer (with URLs for foreign ones)."""
        if self._descriptor is not None:
            return self._descriptor
        digest, size = self._ensure_blob()
        return Descriptor(media_type=self._media_type, size=size, digest=digest)


def check_options(compression: Compression, level: int | None) -> int:
    """Validate the compression options up front; return the level to use."""
    if compression not in _LEVELS:
        raise LayerOptionError(
            f"compression {compression!r} is not supported for layers: want "
            "Compression.GZIP (default) or Compression.ZSTD"
        )
    if level is None:
        return DEFAULT_LEVEL
    allowed = _LEVELS[compression]
    if level not in allowed:
        raise LayerOptionError(
            f"compression_level {level} is out of range for {compression.value}: want "
            f"{allowed.start} to {allowed.stop - 1}"
        )
    return level


def layer_from_opener(
    opener: Opener,
    *,
    media_type: str | None = None,
    compression: Compression = Compression.GZIP,
    compression_level: int | None = None,
    label: str = "layer",
) -> BlobLayer:
    """Return a layer whose blob ``opener`` opens (a tar, or a gzip or zstd compressed tar).

    The compression of the source is sniffed from its first bytes. gzip and zstd
    blobs are used exactly as they are (never recompressed); an uncompressed tar is
    compressed with ``compression`` (default ``Compression.GZIP``, in parallel
    blocks on every core; or ``Compression.ZSTD``) at ``compression_level``
    (default 1, ggcr's ``BestSpeed``), deterministically, exactly once: the blob is
    kept (in memory up to a few MiB, else in an unnamed file in the system temp
    dir, until the layer is garbage collected) and ``compressed()`` reads it from
    there. As in ggcr the digest, size and diff_id are computed now, reading the
    source once.
    ``media_type`` defaults to the Docker layer type, or the OCI zstd layer type
    when the blob is zstd (ggcr keeps the Docker type and only warns). ``label``
    names the source in error messages.
    """
    level = check_options(compression, compression_level)
    with opener() as stream:
        kind, _ = peek(stream)
    if media_type is None:
        media_type = _default_media_type(kind if kind is not Compression.NONE else compression)
    if kind is Compression.NONE:
        layer = BlobLayer(
            opener,
            label=label,
            source_compression=kind,
            media_type=media_type,
            algorithm=compression,
            level=level,
        )
        layer.digest()  # compress now, once: compressed() reads the kept blob
        return layer
    digest, size, diff_id = measure_compressed(opener())
    return BlobLayer(
        opener,
        label=label,
        source_compression=kind,
        media_type=media_type,
        algorithm=compression,
        level=level,
        digest=digest,
        size=size,
        diff_id=diff_id,
    )


def layer_from_file(
    path: str | os.PathLike[str],
    *,
    media_type: str | None = None,
    compression: Compression = Compression.GZIP,
    compression_level: int | None = None,
) -> BlobLayer:
    """Return a layer from the file at ``path``; see :func:`layer_from_opener` for the options.

    The file is opened again whenever the layer is read, so it must stay in place.
    """
    filename = os.fspath(path)

    def opener() -> BinaryIO:
        return open(filename, "rb")

    return layer_from_opener(
        opener,
        media_type=media_type,
        compression=compression,
        compression_level=compression_level,
        label=filename,
    )


def layer_from_reader(
    reader: BinaryIO,
    *,
    media_type: str | None = None,
    compression: Compression = Compression.GZIP,
    compression_level: int | None = None,
) -> BlobLayer:
    """Return a layer from a stream, read now to its end (it is not closed).

    A gzip or zstd stream is kept as it is; an uncompressed tar is compressed as it
    is read (see :func:`layer_from_opener` for the options), and its tar is later
    read back by decompressing that blob. Either way one copy is kept, in memory up
    to a few MiB, else in an unnamed file in the system temp dir, until the layer
    is garbage collected.
    """
    level = check_options(compression, compression_level)
    kind, stream = peek(cast(BinaryIO, _Unclosed(reader)))
    if kind is not Compression.NONE:
        raw = Spool()
        try:
            with stream:
                while chunk := stream.read(1 << 20):
                    raw.write(chunk)
        except BaseException:
            raw.close()
            raise
        raw.seal()
        return layer_from_opener(
            raw.open,
            media_type=media_type,
            compression=compression,
            compression_level=compression_level,
            label="stream",
        )
    spool, digest, size, diff_id = spool_compressed(stream, algorithm=compression, level=level)

    def opener() -> BinaryIO:
        return decompress(spool.open())

    return BlobLayer(
        opener,
        label="stream",
        source_compression=Compression.NONE,
        media_type=media_type or _default_media_type(compression),
        algorithm=compression,
        level=level,
        digest=digest,
        size=size,
        diff_id=diff_id,
        spool=spool,
    )


def _default_media_type(blob_kind: Compression) -> str:
    return types.OCI_LAYER_ZSTD if blob_kind is Compression.ZSTD else types.DOCKER_LAYER


class _Unclosed(io.RawIOBase):
    """Reads ``source`` but leaves it open when closed (the caller owns it)."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        readinto = getattr(self._source, "readinto", None)
        if readinto is not None:
            return int(readinto(view) or 0)
        chunk = self._source.read(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    def read(self, size: int | None = -1) -> bytes:
        return self._source.read(-1 if size is None else size)


if TYPE_CHECKING:
    from containerregistry.v1 import Layer as _LayerProtocol

    def _satisfies_layer_protocol(layer: BlobLayer) -> _LayerProtocol:
        return layer
