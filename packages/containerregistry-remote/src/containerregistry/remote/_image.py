"""Images in a registry: the manifest is in hand, the config is fetched once, layers on demand."""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import types
from containerregistry.remote._errors import UnexpectedMediaTypeError
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._layer import RemoteLayer
from containerregistry.v1 import Descriptor, Hash, Manifest
from containerregistry.verify import VerifyingReader

if TYPE_CHECKING:
    from containerregistry.v1 import ConfigFile, Layer
    from containerregistry.v1 import Image as _ImageProtocol


def read_small_blob(fetcher: Fetcher, descriptor: Descriptor) -> bytes:
    """Return a small blob (a config), from its embedded ``data`` when it is there."""
    if descriptor.data:
        import io

        with VerifyingReader(
            io.BytesIO(descriptor.data), digest=descriptor.digest, size=descriptor.size
        ) as reader:
            return reader.read()
    with fetcher.open_blob(descriptor.digest, descriptor.size, descriptor.urls) as stream:
        return stream.read()


class RemoteImage:
    """An image manifest ``raw`` read from ``fetcher``'s repository.

    ``descriptor`` is the manifest's descriptor (with the platform when it came from
    an index). The config is fetched and verified once, on first use.
    """

    def __init__(self, fetcher: Fetcher, raw: bytes, descriptor: Descriptor) -> None:
        if not types.is_image(descriptor.media_type) and types.is_index(descriptor.media_type):
            raise UnexpectedMediaTypeError(
                f"{fetcher.repository.name}@{descriptor.digest} is an index "
                f"({descriptor.media_type}), not an image"
            )
        self._fetcher = fetcher
        self._raw = raw
        self._descriptor = descriptor
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self._config: bytes | None = None
        self._config_file: ConfigFile | None = None
        self._layers: list[RemoteLayer] | None = None

    @property
    def fetcher(self) -> Fetcher:
        """Where the image is read from."""
        return self._fetcher

    def descriptor(self) -> Descriptor:
        """Return the manifest's descriptor."""
        return self._descriptor

    def media_type(self) -> str:
        """Return the manifest's media type."""
        return self._descriptor.media_type

    def size(self) -> int:
        """Return the size of the raw manifest."""
        return len(self._raw)

    def digest(self) -> Hash:
        """Return the manifest's digest."""
        return self._descriptor.digest

    def raw_manifest(self) -> bytes:
        """Return the manifest exactly as served."""
        return self._raw

    def manifest(self) -> Manifest:
        """Return the parsed manifest (parsed once)."""
        with self._lock:
            if self._manifest is None:
                self._manifest = Manifest.from_json(self._raw)
            return self._manifest

    def raw_config_file(self) -> bytes:
        """Return the config blob (fetched and verified once)."""
        config = self.manifest().config
        with self._lock:
            if self._config is not None:
                return self._config
        data = read_small_blob(self._fetcher, config)
        with self._lock:
            self._config = data
        return data

    def config_name(self) -> Hash:
        """Return the config's digest (the image ID)."""
        return self.manifest().config.digest

    def config_file(self) -> ConfigFile:
        """Return the parsed config."""
        # Imported here: copies and pulls of a single image never parse the config.
        from containerregistry.v1 import ConfigFile

        raw = self.raw_config_file()
        with self._lock:
            if self._config_file is None:
                self._config_file = ConfigFile.from_json(raw)
            return self._config_file

    def _diff_id(self, index: int) -> Hash:
        diff_ids = self.config_file().rootfs.diff_ids or ()
        if index >= len(diff_ids):
            from containerregistry.remote._errors import ManifestError

            raise ManifestError(
                f"{self._fetcher.repository.name}@{self.digest()}: layer {index} has no "
                f"diff_id in the config (it lists {len(diff_ids)})"
            )
        return diff_ids[index]

    def layers(self) -> list[Layer]:
        """Return the layers, base first; each is lazy and knows its repository."""
        manifest = self.manifest()
        with self._lock:
            if self._layers is None:
                self._layers = [
                    RemoteLayer(self._fetcher, d, diff_id=functools.partial(self._diff_id, i))
                    for i, d in enumerate(manifest.layers or ())
                ]
            return list(self._layers)

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the layer (or the config blob) with compressed digest ``digest``."""
        config = self.manifest().config
        if digest == config.digest:
            return RemoteLayer(self._fetcher, config)
        for layer in self.layers():
            if layer.digest() == digest:
                return layer
        raise KeyError(f"{self._fetcher.repository.name}@{self.digest()} has no blob {digest}")

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Return the layer whose uncompressed digest is ``diff_id``."""
        diff_ids = list(self.config_file().rootfs.diff_ids or ())
        if diff_id not in diff_ids:
            raise KeyError(
                f"{self._fetcher.repository.name}@{self.digest()} has no layer {diff_id}"
            )
        return self.layers()[diff_ids.index(diff_id)]


class Schema1Image:
    """A schema 1 manifest, kept as served so that it can be copied.

    Its layers are the ``fsLayers`` in reverse (base first); it has no config, so
    :meth:`config_file` and :meth:`manifest` raise :class:`Schema1Error`.
    """

    def __init__(self, fetcher: Fetcher, raw: bytes, descriptor: Descriptor) -> None:
        self._fetcher = fetcher
        self._raw = raw
        self._descriptor = descriptor

    def descriptor(self) -> Descriptor:
        """Return the manifest's descriptor."""
        return self._descriptor

    def media_type(self) -> str:
        """Return the schema 1 media type."""
        return self._descriptor.media_type

    def size(self) -> int:
        """Return the size of the raw manifest."""
        return len(self._raw)

    def digest(self) -> Hash:
        """Return the manifest's digest."""
        return self._descriptor.digest

    def raw_manifest(self) -> bytes:
        """Return the manifest exactly as served."""
        return self._raw

    def raw_config_file(self) -> bytes:
        """Return ``{}``: schema 1 has no config blob."""
        return b"{}"

    def config_name(self) -> Hash:
        """Return the digest of ``{}``."""
        return Hash.of(b"{}")

    def config_file(self) -> ConfigFile:
        """Raise :class:`Schema1Error`: schema 1 has no config."""
        from containerregistry.remote._errors import Schema1Error

        raise Schema1Error(f"{self._fetcher.repository.name}: schema 1 images have no config")

    def manifest(self) -> Manifest:
        """Raise :class:`Schema1Error`: schema 1 is not an OCI manifest."""
        from containerregistry.remote._errors import Schema1Error

        raise Schema1Error(
            f"{self._fetcher.repository.name}: schema 1 manifests cannot be parsed as v2; "
            "use raw_manifest()"
        )

    def layers(self) -> list[Layer]:
        """Return the ``fsLayers`` blobs, base first (duplicates removed)."""
        import json

        data = json.loads(self._raw)
        seen: dict[Hash, RemoteLayer] = {}
        for entry in reversed(data.get("fsLayers") or []):
            digest = Hash.parse(entry["blobSum"])
            if digest not in seen:
                descriptor = Descriptor(media_type=types.DOCKER_LAYER, size=-1, digest=digest)
                seen[digest] = _UnsizedLayer(self._fetcher, descriptor)
        return list(seen.values())

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the blob ``digest``."""
        for layer in self.layers():
            if layer.digest() == digest:
                return layer
        raise KeyError(f"schema 1 image {self.digest()} has no blob {digest}")

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Raise KeyError: schema 1 lists no diff_ids."""
        raise KeyError(f"schema 1 image {self.digest()} lists no diff_ids")


class _UnsizedLayer(RemoteLayer):
    """A schema 1 blob: its size is not in the manifest, so it is asked for with HEAD."""

    _size: int | None = None

    def size(self) -> int:
        if self._size is None:
            found = self._fetcher.blob_size(self.digest())
            self._size = found if found is not None and found >= 0 else 0
        return self._size

    def compressed(self) -> BinaryIO:
        return self._fetcher.open_blob(self.digest(), None)


if TYPE_CHECKING:

    def _satisfies_image_protocol(image: RemoteImage) -> _ImageProtocol:
        return image

    def _schema1_satisfies_image_protocol(image: Schema1Image) -> _ImageProtocol:
        return image
