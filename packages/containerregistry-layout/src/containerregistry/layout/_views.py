"""Images, indexes and layers read lazily from the blobs of a layout."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, cast

from containerregistry import types
from containerregistry.layout._errors import InvalidLayoutError, LayoutError
from containerregistry.v1 import (
    ConfigParseError,
    Descriptor,
    Hash,
    IndexManifest,
    Manifest,
    ManifestParseError,
)
from containerregistry.verify import VerificationError, VerifyingReader

# decompress and static.Layer load in the methods that use them: writing a layout
# (crane pull --format oci) reads no layer back.
if TYPE_CHECKING:
    # Annotations only: writing a layout never parses a config or needs the protocols.
    from containerregistry.v1 import ConfigFile, Image, ImageIndex, Layer

#: Opens the blob with a digest, verified against ``size`` when given.
BlobOpener = Callable[[Hash, "int | None"], BinaryIO]


class NamedVerifier(io.RawIOBase):
    """A verifying reader whose errors name the blob file that failed.

    A ``stream`` that is itself a :class:`VerifyingReader` checking the same digest
    and size (a registry's blob) is not hashed a second time.
    """

    def __init__(self, stream: BinaryIO, *, digest: Hash, size: int | None, label: str) -> None:
        super().__init__()
        self._inner = (
            stream
            if isinstance(stream, VerifyingReader) and stream.checks(digest, size)
            else VerifyingReader(stream, digest=digest, size=size)
        )
        self._label = label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            return self._inner.readinto(buffer)
        except VerificationError as exc:
            raise InvalidLayoutError(f"{self._label}: {exc}") from exc

    def close(self) -> None:
        if not self.closed:
            try:
                self._inner.close()
            finally:
                super().close()

    def as_binary_io(self) -> BinaryIO:
        return cast(BinaryIO, self)


class LayoutLayer:
    """A layer stored as ``blobs/<alg>/<hex>``; its diff_id comes from the image config."""

    def __init__(
        self,
        open_blob: BlobOpener,
        descriptor: Descriptor,
        diff_id: Callable[[], Hash | None],
    ) -> None:
        self._open_blob = open_blob
        self._descriptor = descriptor
        self._config_diff_id = diff_id
        self._diff_id: Hash | None = None
        self._lock = threading.Lock()

    def digest(self) -> Hash:
        """Return the digest the manifest lists."""
        return self._descriptor.digest

    def size(self) -> int:
        """Return the size the manifest lists."""
        return self._descriptor.size

    def media_type(self) -> str:
        """Return the media type the manifest lists."""
        return self._descriptor.media_type

    def descriptor(self) -> Descriptor:
        """Return the manifest's descriptor of this layer (URLs and annotations kept)."""
        return self._descriptor

    def diff_id(self) -> Hash:
        """Return the diff_id from the config, or hash the uncompressed blob if it has none."""
        with self._lock:
            if self._diff_id is None:
                known = self._config_diff_id()
                if known is None:
                    from containerregistry.compression import decompress

                    with decompress(self.compressed()) as stream:
                        known, _ = Hash.of_stream(stream)
                self._diff_id = known
            return self._diff_id

    def compressed(self) -> BinaryIO:
        """Open the blob, verified against digest and size at its end."""
        return self._open_blob(self._descriptor.digest, self._descriptor.size)

    def uncompressed(self) -> BinaryIO:
        """Open the uncompressed tar, verified against the diff_id at its end."""
        from containerregistry.compression import decompress

        diff_id = self.diff_id()
        return VerifyingReader(
            decompress(self.compressed()), digest=diff_id, size=None
        ).as_binary_io()


class LayoutImage:
    """An image whose manifest, config and layers are blobs of a layout."""

    def __init__(self, open_blob: BlobOpener, raw_manifest: bytes, *, label: str) -> None:
        self._open_blob = open_blob
        self._raw_manifest = raw_manifest
        self._label = label
        try:
            self._manifest = Manifest.from_json(raw_manifest)
        except ManifestParseError as exc:
            raise InvalidLayoutError(f"{label}: {exc}") from None
        media_type = self._manifest.media_type or types.OCI_MANIFEST_SCHEMA1
        if not types.is_image(media_type):
            raise InvalidLayoutError(f"{label}: media type {media_type} is not an image manifest")
        self._media_type = media_type
        self._raw_config: bytes | None = None
        self._config_file: ConfigFile | None = None
        self._lock = threading.Lock()
        layers = self._manifest.layers or ()
        self._layers = [
            LayoutLayer(open_blob, descriptor, self._diff_id_getter(i))
            for i, descriptor in enumerate(layers)
        ]

    def _diff_id_getter(self, index: int) -> Callable[[], Hash | None]:
        def get() -> Hash | None:
            if not types.is_config(self._manifest.config.media_type):
                return None
            diff_ids = self.config_file().rootfs.diff_ids or ()
            return diff_ids[index] if index < len(diff_ids) else None

        return get

    def layers(self) -> list[Layer]:
        """Return the layers, base first."""
        return list(self._layers)

    def media_type(self) -> str:
        """Return the manifest's media type (OCI when it declares none)."""
        return self._media_type

    def size(self) -> int:
        """Return the size of the raw manifest."""
        return len(self._raw_manifest)

    def digest(self) -> Hash:
        """Return the sha256 of the raw manifest."""
        return Hash.of(self._raw_manifest)

    def manifest(self) -> Manifest:
        """Return the parsed manifest."""
        return self._manifest

    def raw_manifest(self) -> bytes:
        """Return the manifest bytes as stored."""
        return self._raw_manifest

    def raw_config_file(self) -> bytes:
        """Return the config blob (read, and verified, on first use)."""
        with self._lock:
            if self._raw_config is None:
                config = self._manifest.config
                with self._open_blob(config.digest, config.size) as stream:
                    self._raw_config = stream.read()
            return self._raw_config

    def config_name(self) -> Hash:
        """Return the digest of the config."""
        return self._manifest.config.digest

    def config_file(self) -> ConfigFile:
        """Return the parsed config."""
        if self._config_file is None:
            from containerregistry.v1 import ConfigFile

            try:
                self._config_file = ConfigFile.from_json(self.raw_config_file())
            except ConfigParseError as exc:
                raise InvalidLayoutError(
                    f"{self._label}: config {self.config_name()}: {exc}"
                ) from None
        return self._config_file

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the layer (or the config, as a layer) whose blob digest is ``digest``."""
        if digest == self.config_name():
            from containerregistry.static import Layer as StaticLayer

            return StaticLayer(self.raw_config_file(), self._manifest.config.media_type)
        for layer in self._layers:
            if layer.digest() == digest:
                return layer
        raise LayoutError(f"{self._label}: blob {digest} is not part of image {self.digest()}")

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Return the layer whose diff_id is ``diff_id``."""
        for layer in self._layers:
            if layer.diff_id() == diff_id:
                return layer
        raise LayoutError(f"{self._label}: diff_id {diff_id} is not in image {self.digest()}")


class LayoutIndex:
    """An index (``index.json`` or a nested index blob) whose children are layout blobs."""

    def __init__(self, open_blob: BlobOpener, raw_manifest: bytes, *, label: str) -> None:
        self._open_blob = open_blob
        self._raw_manifest = raw_manifest
        self._label = label
        try:
            self._index = IndexManifest.from_json(raw_manifest)
        except ManifestParseError as exc:
            raise InvalidLayoutError(f"{label}: {exc}") from None
        self._media_type = self._index.media_type or types.OCI_IMAGE_INDEX

    def media_type(self) -> str:
        """Return the index's media type (OCI when it declares none)."""
        return self._media_type

    def digest(self) -> Hash:
        """Return the sha256 of the raw index."""
        return Hash.of(self._raw_manifest)

    def size(self) -> int:
        """Return the size of the raw index."""
        return len(self._raw_manifest)

    def index_manifest(self) -> IndexManifest:
        """Return the parsed index."""
        return self._index

    def raw_manifest(self) -> bytes:
        """Return the index bytes as stored."""
        return self._raw_manifest

    def _child(self, digest: Hash) -> tuple[Descriptor | None, bytes]:
        descriptor = next((d for d in self._index.manifests or () if d.digest == digest), None)
        size = None if descriptor is None else descriptor.size
        with self._open_blob(digest, size) as stream:
            return descriptor, stream.read()

    def image(self, digest: Hash) -> Image:
        """Return the child image ``digest``; a child of another media type is an error."""
        descriptor, raw = self._child(digest)
        if descriptor is not None and not types.is_image(descriptor.media_type):
            raise InvalidLayoutError(
                f"{self._label}: child {digest} has media type {descriptor.media_type}, "
                "not an image manifest"
            )
        return LayoutImage(self._open_blob, raw, label=f"{self._label}: image {digest}")

    def image_index(self, digest: Hash) -> ImageIndex:
        """Return the child index ``digest``; a child of another media type is an error."""
        descriptor, raw = self._child(digest)
        if descriptor is not None and not types.is_index(descriptor.media_type):
            raise InvalidLayoutError(
                f"{self._label}: child {digest} has media type {descriptor.media_type}, "
                "not an index"
            )
        return LayoutIndex(self._open_blob, raw, label=f"{self._label}: index {digest}")


if TYPE_CHECKING:

    def _satisfies_protocols(
        layer: LayoutLayer, image: LayoutImage, index: LayoutIndex
    ) -> tuple[Layer, Image, ImageIndex]:
        return layer, image, index
