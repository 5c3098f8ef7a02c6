"""Full Image and Layer views from cores that know their layers uncompressed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from containerregistry import types
from containerregistry.compression import Compression, compress
from containerregistry.partial import _helpers as helpers
from containerregistry.partial._cores import UncompressedImageCore, UncompressedLayerCore
from containerregistry.partial._memo import Memo
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Layer, Manifest
from containerregistry.verify import VerifyingReader

#: Media types whose blobs are the tar itself, and those compressed with zstd;
#: every other layer type is gzipped.
_UNCOMPRESSED_TYPES = frozenset(
    {
        types.OCI_UNCOMPRESSED_LAYER,
        types.OCI_UNCOMPRESSED_RESTRICTED_LAYER,
        types.DOCKER_UNCOMPRESSED_LAYER,
    }
)
_ZSTD_TYPES = frozenset({types.OCI_LAYER_ZSTD, "application/vnd.docker.image.rootfs.diff.tar.zstd"})


def compression_for(media_type: str) -> Compression:
    """Return how a layer of ``media_type`` is compressed (gzip unless the type says otherwise)."""
    if media_type in _UNCOMPRESSED_TYPES:
        return Compression.NONE
    if media_type in _ZSTD_TYPES:
        return Compression.ZSTD
    return Compression.GZIP


class _UncompressedLayer:
    """A Layer derived from an UncompressedLayerCore."""

    def __init__(self, core: UncompressedLayerCore, level: int | None) -> None:
        self._partial_core = core
        self._level = level
        self._diff_id = Memo(core.diff_id)
        self._digest_and_size = Memo(self._compress_once)

    def diff_id(self) -> Hash:
        return self._diff_id.get()

    def media_type(self) -> str:
        return self._partial_core.media_type()

    def uncompressed(self) -> BinaryIO:
        """Open the tar; reading it to the end checks it against the diff ID."""
        stream = self._partial_core.uncompressed()
        return VerifyingReader(stream, digest=self.diff_id(), size=None).as_binary_io()

    def _compress(self) -> BinaryIO:
        algorithm = compression_for(self.media_type())
        level = self._level if algorithm is not Compression.NONE else None
        return compress(self._partial_core.uncompressed(), algorithm=algorithm, level=level)

    def _compress_once(self) -> tuple[Hash, int]:
        with self._compress() as stream:
            return Hash.of_stream(stream)

    def digest(self) -> Hash:
        """Return the digest of the compressed blob (compressing once to learn it)."""
        return self._digest_and_size.get()[0]

    def size(self) -> int:
        """Return the size of the compressed blob (compressing once to learn it)."""
        return self._digest_and_size.get()[1]

    def compressed(self) -> BinaryIO:
        """Compress again (deterministically); the result is checked against :meth:`digest`."""
        digest, size = self._digest_and_size.get()
        return VerifyingReader(self._compress(), digest=digest, size=size).as_binary_io()

    def descriptor(self) -> Descriptor:
        own = getattr(self._partial_core, "descriptor", None)
        if callable(own):
            result = own()
            assert isinstance(result, Descriptor)
            return result
        return Descriptor(media_type=self.media_type(), size=self.size(), digest=self.digest())


def uncompressed_to_layer(core: UncompressedLayerCore, *, level: int | None = None) -> Layer:
    """Derive a full Layer from a core that knows its uncompressed tar.

    The blob is compressed as the media type says: gzip (default), zstd for
    zstd types, none for the uncompressed types. Digest and size are computed by
    compressing once; ``compressed()`` compresses again, deterministically, and
    verifies. ``level`` is the compression level (default None: the compression
    package's default, gzip 1).
    """
    return _UncompressedLayer(core, level)


class _UncompressedImage:
    """An Image derived from an UncompressedImageCore, with a synthesized manifest."""

    def __init__(self, core: UncompressedImageCore) -> None:
        self._partial_core = core
        self._raw_config = Memo(core.raw_config_file)
        self._config = Memo(lambda: ConfigFile.from_json(self.raw_config_file()))
        self._layers: dict[Hash, _UncompressedLayer] = {}
        self._manifest = Memo(self._compute_manifest)
        self._raw_manifest = Memo(lambda: self.manifest().to_json())

    def raw_config_file(self) -> bytes:
        return self._raw_config.get()

    def config_file(self) -> ConfigFile:
        return self._config.get()

    def config_name(self) -> Hash:
        return Hash.of(self.raw_config_file())

    def media_type(self) -> str:
        return self._partial_core.media_type()

    def layers(self) -> list[Layer]:
        return [self.layer_by_diff_id(diff_id) for diff_id in helpers.diff_ids(self)]

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        # One derived layer per diff ID, so its compressed digest is computed once.
        layer = self._layers.get(diff_id)
        if layer is None:
            layer = _UncompressedLayer(self._partial_core.layer_by_diff_id(diff_id), None)
            layer = self._layers.setdefault(diff_id, layer)
        return layer

    def layer_by_digest(self, digest: Hash) -> Layer:
        return self.layer_by_diff_id(helpers.blob_to_diff_id(self, digest))

    def _compute_manifest(self) -> Manifest:
        config = self.raw_config_file()
        return Manifest(
            schema_version=2,
            media_type=types.DOCKER_MANIFEST_SCHEMA2,
            config=Descriptor(
                media_type=types.DOCKER_CONFIG_JSON, size=len(config), digest=Hash.of(config)
            ),
            layers=tuple(helpers.descriptor(layer) for layer in self.layers()),
        )

    def manifest(self) -> Manifest:
        return self._manifest.get()

    def raw_manifest(self) -> bytes:
        return self._raw_manifest.get()

    def digest(self) -> Hash:
        return Hash.of(self.raw_manifest())

    def size(self) -> int:
        return len(self.raw_manifest())


def uncompressed_to_image(core: UncompressedImageCore) -> _UncompressedImage:
    """Derive a full Image from a core that knows its config and uncompressed layers.

    As ggcr does, the manifest is synthesized as a Docker v2 manifest with a
    Docker config descriptor; each layer descriptor comes from the layer
    (compressing it once to learn digest and size). Everything is memoized.
    """
    return _UncompressedImage(core)


if TYPE_CHECKING:
    from containerregistry.v1 import Image

    def _satisfies_protocols(image: _UncompressedImage, layer: _UncompressedLayer) -> Any:
        checked_image: Image = image
        checked_layer: Layer = layer
        return checked_image, checked_layer
