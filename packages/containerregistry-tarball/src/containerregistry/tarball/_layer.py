"""Layers whose blob comes from an opener: files, tar entries, spooled streams."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import weakref
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import types
from containerregistry.compression import Compression, compress, decompress, peek
from containerregistry.tarball._archive import Opener
from containerregistry.tarball._errors import InvalidTarballError, LayerOptionError
from containerregistry.tarball._measure import hash_stream, measure_compressed, measure_uncompressed
from containerregistry.v1 import Descriptor, Hash
from containerregistry.verify import VerifyingReader

#: ggcr compresses layers at gzip.BestSpeed: fast, and what crane users expect.
DEFAULT_LEVEL = 1
_LEVELS = {Compression.GZIP: range(10), Compression.ZSTD: range(1, 23)}


class BlobLayer:
    """A layer over ``opener``; its blob is the source itself when that is compressed.

    An uncompressed source is compressed again (deterministically) on every
    :meth:`compressed` call. Digest, size and diff_id may be given (when known) or
    are computed on first use, each source read at most once for that; a computed
    digest must equal ``expected_digest`` when that is given (an entry named by its
    digest).
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
        expected_digest: Hash | None = None,
    ) -> None:
        self._opener = opener
        self._expected_digest = expected_digest
        self._label = label
        self._source_compression = source_compression
        self._media_type = media_type
        self._algorithm = algorithm
        self._level = level
        self._digest = digest
        self._size = size
        self._diff_id = diff_id
        self._descriptor = descriptor
        self._lock = threading.Lock()
        self._keepalive: object = None

    @property
    def is_compressed_source(self) -> bool:
        """Whether the source bytes are already gzip or zstd (and used as they are)."""
        return self._source_compression is not Compression.NONE

    def _ensure_blob(self) -> tuple[Hash, int]:
        with self._lock:
            if self._digest is None or self._size is None:
                if self.is_compressed_source:
                    digest, size = hash_stream(self._opener())
                    if self._expected_digest is not None and digest != self._expected_digest:
                        raise InvalidTarballError(
                            f"{self._label} holds content with digest {digest}, not the "
                            f"{self._expected_digest} its name says: the tarball is corrupt "
                            "or was altered"
                        )
                    self._digest, self._size = digest, size
                else:
                    digest, size, diff_id = measure_uncompressed(
                        self._opener(), algorithm=self._algorithm, level=self._level
                    )
                    if self._diff_id is not None and diff_id != self._diff_id:
                        raise InvalidTarballError(
                            f"{self._label} has diff_id {diff_id} but the config says "
                            f"{self._diff_id}: the tarball is corrupt or was altered"
                        )
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
        """Open the blob: the source as is, or the source compressed. Verified at its end."""
        if self._descriptor is not None and not types.is_distributable(self._media_type):
            # A foreign layer's descriptor names the blob at its URLs; what the
            # tarball holds may be its uncompressed form, so it is passed on unverified.
            stream = self._opener()
            if self.is_compressed_source:
                return stream
            return compress(stream, algorithm=self._algorithm, level=self._level)
        digest, size = self._ensure_blob()
        stream = self._opener()
        if not self.is_compressed_source:
            stream = compress(stream, algorithm=self._algorithm, level=self._level)
        return VerifyingReader(stream, digest=digest, size=size).as_binary_io()

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
    compressed with ``compression`` (default ``Compression.GZIP``; or
    ``Compression.ZSTD``) at ``compression_level`` (default 1, ggcr's
    ``BestSpeed``), deterministically, again on each ``compressed()`` call. As in
    ggcr the digest, size and diff_id are computed now, reading the source once.
    ``media_type`` defaults to the Docker layer type, or the OCI zstd layer type
    when the blob is zstd (ggcr keeps the Docker type and only warns). ``label``
    names the source in error messages.
    """
    level = check_options(compression, compression_level)
    with opener() as stream:
        kind, _ = peek(stream)
    blob_kind = kind if kind is not Compression.NONE else compression
    if media_type is None:
        media_type = types.OCI_LAYER_ZSTD if blob_kind is Compression.ZSTD else types.DOCKER_LAYER
    if kind is Compression.NONE:
        digest, size, diff_id = measure_uncompressed(opener(), algorithm=compression, level=level)
    else:
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
    """Return a layer from a stream, spooled to a temporary file first.

    ``reader`` is read to its end (not closed). The temporary file is removed when
    the layer is garbage collected. Options as in :func:`layer_from_opener`.
    """
    check_options(compression, compression_level)
    spool = tempfile.NamedTemporaryFile(prefix="containerregistry-layer-", delete=False)  # noqa: SIM115
    try:
        with spool:
            shutil.copyfileobj(reader, spool, 1 << 20)
        layer = layer_from_file(
            spool.name,
            media_type=media_type,
            compression=compression,
            compression_level=compression_level,
        )
    except BaseException:
        os.unlink(spool.name)
        raise
    layer._keepalive = weakref.finalize(layer, _unlink_quietly, spool.name)
    return layer


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


if TYPE_CHECKING:
    from containerregistry.v1 import Layer as _LayerProtocol

    def _satisfies_layer_protocol(layer: BlobLayer) -> _LayerProtocol:
        return layer
