"""Full Image and Layer views from cores that know their blobs as stored (compressed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from containerregistry import types
from containerregistry.compression import decompress
from containerregistry.partial import _helpers as helpers
from containerregistry.partial._cores import CompressedImageCore, CompressedLayerCore
from containerregistry.partial._errors import BlobNotFoundError
from containerregistry.partial._memo import Memo
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Layer, Manifest
from containerregistry.verify import VerifyingReader


class _CompressedLayer:
    """A Layer derived from a CompressedLayerCore."""

    def __init__(self, core: CompressedLayerCore, diff_id: Callable[[], Hash] | None) -> None:
        self._partial_core = core
        own = getattr(core, "diff_id", None)
        if callable(own):
            compute: Callable[[], Hash] = own
        elif diff_id is not None:
            compute = diff_id
        else:
            compute = self._hash_uncompressed
        self._diff_id = Memo(compute)
        self._digest = Memo(core.digest)
        self._size = Memo(core.size)

    def digest(self) -> Hash:
        return self._digest.get()

    def size(self) -> int:
        return self._size.get()

    def media_type(self) -> str:
        return self._partial_core.media_type()

    def diff_id(self) -> Hash:
        return self._diff_id.get()

    def compressed(self) -> BinaryIO:
        """Open the blob; reading it to the end checks its digest and size."""
        stream = self._partial_core.compressed()
        return VerifyingReader(stream, digest=self.digest(), size=self.size()).as_binary_io()

    def uncompressed(self) -> BinaryIO:
        """Open the tar: gzip and zstd are sniffed and decompressed, other data passes."""
        return decompress(self.compressed())

    def _hash_uncompressed(self) -> Hash:
        with self.uncompressed() as stream:
            return Hash.of_stream(stream)[0]


def compressed_to_layer(core: CompressedLayerCore) -> Layer:
    """Derive a full Layer from a core that knows its compressed blob.

    ``compressed()`` verifies digest and size at the end of the stream;
    ``uncompressed()`` decompresses gzip or zstd (sniffed); ``diff_id()`` comes
    from the core if it defines one, else from hashing the uncompressed stream
    once. Digest, size and diff ID are memoized.
    """
    return _CompressedLayer(core, None)


class _CompressedImage:
    """An Image derived from a CompressedImageCore."""

    def __init__(self, core: CompressedImageCore) -> None:
        self._partial_core = core
        self._raw_manifest = Memo(core.raw_manifest)
        self._raw_config = Memo(core.raw_config_file)
        self._manifest = Memo(lambda: Manifest.from_json(self.raw_manifest()))
        self._config = Memo(lambda: ConfigFile.from_json(self.raw_config_file()))
        self._digest = Memo(lambda: Hash.of(self.raw_manifest()))
        self._config_name = Memo(lambda: Hash.of(self.raw_config_file()))

    def raw_manifest(self) -> bytes:
        return self._raw_manifest.get()

    def manifest(self) -> Manifest:
        return self._manifest.get()

    def media_type(self) -> str:
        return self._partial_core.media_type()

    def size(self) -> int:
        return len(self.raw_manifest())

    def digest(self) -> Hash:
        return self._digest.get()

    def raw_config_file(self) -> bytes:
        return self._raw_config.get()

    def config_file(self) -> ConfigFile:
        return self._config.get()

    def config_name(self) -> Hash:
        return self._config_name.get()

    def layers(self) -> list[Layer]:
        return [self.layer_by_digest(layer.digest) for layer in self.manifest().layers or ()]

    def layer_by_digest(self, digest: Hash) -> Layer:
        core_layer = self._partial_core.layer_by_digest(digest)
        return _CompressedLayer(core_layer, lambda: helpers.blob_to_diff_id(self, digest))

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        return self.layer_by_digest(helpers.diff_id_to_blob(self, diff_id))


def compressed_to_image(core: CompressedImageCore) -> _CompressedImage:
    """Derive a full Image from a core that knows its raw manifest, config and blobs.

    Everything is lazy and memoized: the manifest and config are fetched and
    parsed once; layers come from ``core.layer_by_digest`` and read through a
    verifying reader; a layer's diff ID is looked up in the config by position.
    """
    return _CompressedImage(core)


class _BlobLayerCore:
    """A compressed layer core described by a manifest descriptor and a blob opener."""

    def __init__(self, descriptor: Descriptor, open_blob: Callable[[Hash], BinaryIO]) -> None:
        self._descriptor = descriptor
        self._open_blob = open_blob

    def digest(self) -> Hash:
        return self._descriptor.digest

    def size(self) -> int:
        return self._descriptor.size

    def media_type(self) -> str:
        return self._descriptor.media_type

    def compressed(self) -> BinaryIO:
        return self._open_blob(self._descriptor.digest)

    def descriptor(self) -> Descriptor:
        return self._descriptor


class _BlobImageCore:
    def __init__(
        self,
        raw_manifest: bytes,
        raw_config: bytes | None,
        open_blob: Callable[[Hash], BinaryIO],
        media_type: str | None,
    ) -> None:
        self._raw_manifest = bytes(raw_manifest)
        self._open_blob = open_blob
        self._parsed = Memo(lambda: Manifest.from_json(self._raw_manifest))
        self._media_type = media_type
        self._raw_config = Memo(
            (lambda: bytes(raw_config)) if raw_config is not None else self._read_config
        )

    def _read_config(self) -> bytes:
        config = self._parsed.get().config
        with VerifyingReader(
            self._open_blob(config.digest), digest=config.digest, size=config.size
        ) as stream:
            return stream.read()

    def raw_manifest(self) -> bytes:
        return self._raw_manifest

    def raw_config_file(self) -> bytes:
        return self._raw_config.get()

    def media_type(self) -> str:
        if self._media_type:
            return self._media_type
        return self._parsed.get().media_type or types.OCI_MANIFEST_SCHEMA1

    def layer_by_digest(self, digest: Hash) -> CompressedLayerCore:
        parsed = self._parsed.get()
        for candidate in (parsed.config, *(parsed.layers or ())):
            if candidate.digest == digest:
                return _BlobLayerCore(candidate, self._open_blob)
        raise BlobNotFoundError(f"blob {digest} is not listed in the image manifest")


def image_from_blobs(
    raw_manifest: bytes,
    *,
    open_blob: Callable[[Hash], BinaryIO],
    raw_config: bytes | None = None,
    media_type: str | None = None,
) -> _CompressedImage:
    """Build an Image from a raw manifest and a function that opens blobs by digest.

    Args:
        raw_manifest: the manifest bytes, exactly as stored.
        open_blob: opens the blob with a given digest (config or layer); the
            stream is read through a verifying reader (digest and size checked
            at its end).
        raw_config: the config bytes if already at hand (default None: read with
            ``open_blob`` on first use).
        media_type: the manifest's media type (default None: the manifest's own
            ``mediaType``, else the OCI manifest type).
    """
    return _CompressedImage(_BlobImageCore(raw_manifest, raw_config, open_blob, media_type))


if TYPE_CHECKING:
    from containerregistry.v1 import Image

    def _satisfies_protocols(image: _CompressedImage, layer: _CompressedLayer) -> Any:
        checked_image: Image = image
        checked_layer: Layer = layer
        return checked_image, checked_layer
