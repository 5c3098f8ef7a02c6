"""Functions that derive one property of a view from the others.

They take the smallest thing that works (an object with ``raw_manifest()``, with
``raw_config_file()``...) so that the adapters and any source can share them. A
method the object defines itself (e.g. ``descriptor()`` or ``uncompressed_size()``,
on the object or on the core it wraps) is preferred over computing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from containerregistry import types
from containerregistry.partial._errors import BlobNotFoundError, LayerCountMismatchError
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    Image,
    ImageIndex,
    Layer,
    Manifest,
)

#: Read size when counting bytes of a stream.
_CHUNK_SIZE = 1 << 20


class WithRawConfigFile(Protocol):
    """Anything with a raw config (an Image or a core)."""

    def raw_config_file(self) -> bytes: ...


class WithRawManifest(Protocol):
    """Anything with a raw manifest (an Image, an ImageIndex or a core)."""

    def raw_manifest(self) -> bytes: ...


class Describable(Protocol):
    """Anything a descriptor can be made for: an Image, an ImageIndex or a Layer."""

    def digest(self) -> Hash: ...

    def size(self) -> int: ...

    def media_type(self) -> str: ...


def optional_method(obj: object, name: str) -> Callable[[], Any] | None:
    """Return ``obj.name`` or the same method of the core ``obj`` wraps, if any."""
    seen = 0
    while obj is not None and seen < 32:
        method: Callable[[], Any] | None = getattr(obj, name, None)
        if callable(method):
            return method
        obj = getattr(obj, "_partial_core", None)
        seen += 1
    return None


def config_file(image: WithRawConfigFile) -> ConfigFile:
    """Parse the image's raw config (its own ``config_file()`` is preferred if defined)."""
    own = getattr(image, "config_file", None)
    if callable(own):
        result = own()
        assert isinstance(result, ConfigFile)
        return result
    return ConfigFile.from_json(image.raw_config_file())


def config_name(image: WithRawConfigFile) -> Hash:
    """Return the sha256 of the raw config: the image ID."""
    return Hash.of(image.raw_config_file())


def config_layer(image: WithRawConfigFile) -> Layer:
    """Return the config blob as a Layer (digest = config name), e.g. to upload it.

    Its media type is the one the manifest gives the config when the image has a
    manifest, else the Docker config type.
    """
    from containerregistry.static import Layer as StaticLayer

    media_type = types.DOCKER_CONFIG_JSON
    if callable(getattr(image, "raw_manifest", None)):
        media_type = manifest(image).config.media_type or media_type  # type: ignore[arg-type]
    return StaticLayer(image.raw_config_file(), media_type)


def diff_ids(image: WithRawConfigFile) -> list[Hash]:
    """Return the config's diff IDs (uncompressed layer digests), base first."""
    return list(config_file(image).rootfs.diff_ids or ())


def raw_manifest(obj: WithRawManifest) -> bytes:
    """Return the manifest as stored."""
    return obj.raw_manifest()


def manifest(obj: WithRawManifest) -> Manifest:
    """Parse the raw manifest (the object's own ``manifest()`` is preferred if defined)."""
    own = getattr(obj, "manifest", None)
    if callable(own):
        result = own()
        assert isinstance(result, Manifest)
        return result
    return Manifest.from_json(obj.raw_manifest())


def digest(obj: WithRawManifest) -> Hash:
    """Return the sha256 of the raw manifest."""
    return Hash.of(obj.raw_manifest())


def size(obj: WithRawManifest) -> int:
    """Return the size in bytes of the raw manifest."""
    return len(obj.raw_manifest())


def fs_layers(obj: WithRawManifest) -> list[Hash]:
    """Return the digests of the manifest's layers, base first."""
    return [layer.digest for layer in manifest(obj).layers or ()]


def blob_descriptor(obj: WithRawManifest, blob: Hash) -> Descriptor:
    """Return the manifest's descriptor (config or layer) whose digest is ``blob``.

    Raises :class:`BlobNotFoundError` if the manifest does not list it.
    """
    parsed = manifest(obj)
    if parsed.config.digest == blob:
        return parsed.config
    for layer in parsed.layers or ():
        if layer.digest == blob:
            return layer
    raise BlobNotFoundError(f"blob {blob} is not listed in the image manifest")


def blob_size(obj: WithRawManifest, blob: Hash) -> int:
    """Return the size the manifest gives the blob ``blob``."""
    return blob_descriptor(obj, blob).size


def _layer_pairs(image: Any) -> list[tuple[Hash, Hash]]:
    digests = fs_layers(image)
    ids = diff_ids(image)
    if len(digests) != len(ids):
        raise LayerCountMismatchError(
            f"the manifest lists {len(digests)} layers but the config has {len(ids)} "
            "diff_ids; the image is inconsistent: rebuild or re-push it"
        )
    return list(zip(digests, ids, strict=True))


def blob_to_diff_id(image: Any, blob: Hash) -> Hash:
    """Map a layer's compressed digest to its diff ID, by position in manifest and config.

    ``image`` needs ``raw_manifest()`` and ``raw_config_file()``. Raises
    :class:`BlobNotFoundError` or :class:`LayerCountMismatchError`.
    """
    for layer_digest, diff_id in _layer_pairs(image):
        if layer_digest == blob:
            return diff_id
    raise BlobNotFoundError(f"layer {blob} is not listed in the image manifest")


def diff_id_to_blob(image: Any, diff_id: Hash) -> Hash:
    """Map a diff ID to the layer's compressed digest, by position in config and manifest."""
    for layer_digest, layer_diff_id in _layer_pairs(image):
        if layer_diff_id == diff_id:
            return layer_digest
    raise BlobNotFoundError(f"diff ID {diff_id} is not listed in the image config")


def artifact_type(obj: WithRawManifest) -> str:
    """Return the artifact type of a manifest.

    The manifest's own ``artifactType`` if set; else, for an image manifest whose
    config is not an image config, the config's media type; else ``""``.
    """
    own = optional_method(obj, "artifact_type")
    if own is not None:
        return str(own())
    from containerregistry.v1._decode import Reader
    from containerregistry.v1._errors import ManifestParseError

    reader = Reader("manifest", ManifestParseError)
    document = reader.load(obj.raw_manifest())
    declared = reader.string(document.get("artifactType"), "artifactType")
    if declared:
        return declared
    config = document.get("config")
    if isinstance(config, dict):
        config_type = reader.string(config.get("mediaType"), "config.mediaType")
        if config_type and not types.is_config(config_type):
            return config_type
    return ""


def descriptor(obj: Describable) -> Descriptor:
    """Return a descriptor of an image, index or layer.

    The object's own ``descriptor()`` wins (it may carry URLs, annotations or a
    platform); otherwise media type, size and digest, plus the artifact type of a
    manifest when it has one.
    """
    own = optional_method(obj, "descriptor")
    if own is not None:
        result = own()
        assert isinstance(result, Descriptor)
        return result
    media_type = obj.media_type()
    artifact = ""
    if callable(getattr(obj, "raw_manifest", None)) and (
        types.is_image(media_type) or types.is_index(media_type)
    ):
        artifact = artifact_type(obj)  # type: ignore[arg-type]
    return Descriptor(
        media_type=media_type, size=obj.size(), digest=obj.digest(), artifact_type=artifact
    )


def uncompressed_size(layer: Layer) -> int:
    """Return the size of the uncompressed tar, reading it if the layer cannot tell."""
    own = optional_method(layer, "uncompressed_size")
    if own is not None:
        return int(own())
    total = 0
    with layer.uncompressed() as stream:
        while True:
            chunk = stream.read(_CHUNK_SIZE)
            if not chunk:
                return total
            total += len(chunk)


def find_manifests(index: ImageIndex, matcher: Callable[[Descriptor], bool]) -> list[Descriptor]:
    """Return the descriptors of the index's children that ``matcher`` accepts."""
    return [child for child in index.index_manifest().manifests or () if matcher(child)]


def find_images(index: ImageIndex, matcher: Callable[[Descriptor], bool]) -> list[Image]:
    """Return the child images (not indexes) whose descriptors ``matcher`` accepts."""
    return [
        index.image(child.digest)
        for child in find_manifests(index, matcher)
        if types.is_image(child.media_type)
    ]


def find_indexes(index: ImageIndex, matcher: Callable[[Descriptor], bool]) -> list[ImageIndex]:
    """Return the child indexes whose descriptors ``matcher`` accepts."""
    return [
        index.image_index(child.digest)
        for child in find_manifests(index, matcher)
        if types.is_index(child.media_type)
    ]
