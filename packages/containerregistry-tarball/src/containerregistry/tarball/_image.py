"""Images read from ``docker save`` and crane tarballs (Docker 25+ OCI-in-tar included)."""

from __future__ import annotations

import concurrent.futures
import os
import re
import threading
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import types
from containerregistry.compression import Compression, peek
from containerregistry.name import BadNameError, Tag, new_tag
from containerregistry.static import Layer as StaticLayer
from containerregistry.tarball._archive import Opener, TarArchive
from containerregistry.tarball._errors import InvalidTarballError, TagNotFoundError, TarballError
from containerregistry.tarball._layer import DEFAULT_LEVEL, BlobLayer
from containerregistry.tarball._manifest import ManifestDescriptor, read_manifest
from containerregistry.v1 import (
    ConfigFile,
    ConfigParseError,
    Descriptor,
    Hash,
    Layer,
    Manifest,
)

#: Entry names that carry the sha256 of their content: crane's ``sha256:<hex>``
#: (configs) and ``<hex>.tar.gz`` / ``<hex>.tar.zst`` (layers), docker save's
#: ``<hex>.json`` and Docker 25's ``blobs/sha256/<hex>``.
_NAMED_BY_DIGEST = re.compile(
    r"^(?:sha256:|blobs/sha256/)?([0-9a-f]{64})(?:\.json|\.tar\.gz|\.tar\.zst)?$"
)
#: Docker 25 lists every layer in LayerSources with an uncompressed media type;
#: those are not foreign layers (ggcr's docker25workaround).
_UNCOMPRESSED_TYPES = frozenset({types.DOCKER_UNCOMPRESSED_LAYER, types.OCI_UNCOMPRESSED_LAYER})


def _expected_digest(entry: str) -> Hash | None:
    match = _NAMED_BY_DIGEST.match(entry)
    return None if match is None else Hash("sha256", match.group(1))


def _find(
    manifest: tuple[ManifestDescriptor, ...], tag: Tag | None, source: str
) -> ManifestDescriptor:
    if tag is None:
        if len(manifest) != 1:
            raise TarballError(
                f"{source} holds {len(manifest)} images; pass tag= to pick one of them"
            )
        return manifest[0]
    for descriptor in manifest:
        for text in descriptor.repo_tags or ():
            try:
                candidate = new_tag(text)
            except BadNameError as exc:
                raise InvalidTarballError(
                    f"{source}: manifest.json RepoTags entry {text!r} is not a tag: {exc}"
                ) from None
            if candidate.name == tag.name:  # several spellings name the same tag
                return descriptor
    known = sorted(text for d in manifest for text in d.repo_tags or ())
    raise TagNotFoundError(f"tag {tag} not found in {source}; it holds {known or 'no tags'}")


#: Layers measured at once when the manifest is first made. Compressing one layer
#: already uses every core; a second one keeps them busy while the first one's
#: reading, hashing and spooling (on its own thread) wait for I/O.
MEASURE_JOBS = 2


def _descriptors(layers: list[BlobLayer]) -> tuple[Descriptor, ...]:
    """The layers' descriptors, in order, measured :data:`MEASURE_JOBS` at a time."""
    if len(layers) < 2:
        return tuple(layer.descriptor() for layer in layers)
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=MEASURE_JOBS, thread_name_prefix="tarball-measure"
    ) as pool:
        return tuple(pool.map(BlobLayer.descriptor, layers))


class TarballImage:
    """An image of a tarball. Compressed layers are used as they are; uncompressed ones
    (plain ``docker save``) are gzipped at level 1, so their digests are new ones."""

    def __init__(self, archive: TarArchive, descriptor: ManifestDescriptor) -> None:
        self._archive = archive
        self._descriptor = descriptor
        source = archive.source
        config_entry = descriptor.config
        self._raw_config = archive.read(config_entry)
        self._config_name = Hash.of(self._raw_config)
        expected = _expected_digest(config_entry)
        if expected is not None and expected != self._config_name:
            raise InvalidTarballError(
                f"{source}: config entry {config_entry!r} holds content with digest "
                f"{self._config_name}: the tarball is corrupt or was altered"
            )
        try:
            self._config_file = ConfigFile.from_json(self._raw_config)
        except ConfigParseError as exc:
            raise InvalidTarballError(f"{source}: config entry {config_entry!r}: {exc}") from None
        entries = descriptor.layers or ()
        diff_ids = self._config_file.rootfs.diff_ids or ()
        if len(entries) != len(diff_ids):
            raise InvalidTarballError(
                f"{source}: manifest.json lists {len(entries)} layer(s) but config "
                f"{config_entry!r} has {len(diff_ids)} rootfs.diff_ids; the config may not "
                "describe a runnable image"
            )
        self._layers = [
            self._layer(entry, diff_id) for entry, diff_id in zip(entries, diff_ids, strict=True)
        ]
        self._lock = threading.Lock()
        self._manifest: Manifest | None = None
        self._raw_manifest: bytes | None = None

    def _layer(self, entry: str, diff_id: Hash) -> BlobLayer:
        archive = self._archive
        archive.resolve(entry)  # fail now on a missing, looping or escaping entry
        label = f"{archive.source}: layer entry {entry!r}"

        def opener() -> BinaryIO:
            return archive.open(entry)

        with opener() as stream:
            kind, _ = peek(stream)
        source_descriptor = self._descriptor.layer_sources.get(diff_id)
        if source_descriptor is not None and source_descriptor.media_type in _UNCOMPRESSED_TYPES:
            source_descriptor = None
        if source_descriptor is not None:
            return BlobLayer(
                opener,
                label=label,
                source_compression=kind,
                media_type=source_descriptor.media_type,
                digest=source_descriptor.digest,
                size=source_descriptor.size,
                diff_id=diff_id,
                descriptor=source_descriptor,
            )
        media_type = types.OCI_LAYER_ZSTD if kind is Compression.ZSTD else types.DOCKER_LAYER
        named = _expected_digest(entry) if kind is not Compression.NONE else None
        if named is not None and named != diff_id:
            # Named by its digest: that is its descriptor, as in an OCI layout, and
            # every read checks it. A name that is the diff_id says nothing of the blob.
            return BlobLayer(
                opener,
                label=label,
                source_compression=kind,
                media_type=media_type,
                digest=named,
                size=archive.resolve(entry).size,
                diff_id=diff_id,
                named=True,
            )
        return BlobLayer(
            opener,
            label=label,
            source_compression=kind,
            media_type=media_type,
            level=DEFAULT_LEVEL,
            diff_id=diff_id,
        )

    # -- the Image protocol -------------------------------------------------

    def layers(self) -> list[Layer]:
        """Return the layers, base first."""
        return list(self._layers)

    def media_type(self) -> str:
        """Return the manifest media type: always a Docker v2 manifest, as in ggcr."""
        return types.DOCKER_MANIFEST_SCHEMA2

    def config_name(self) -> Hash:
        """Return the sha256 of the raw config (the image ID)."""
        return self._config_name

    def config_file(self) -> ConfigFile:
        """Return the parsed config."""
        return self._config_file

    def raw_config_file(self) -> bytes:
        """Return the config bytes exactly as stored in the tarball."""
        return self._raw_config

    def manifest(self) -> Manifest:
        """Return the manifest, computing layer digests on first use."""
        with self._lock:
            if self._manifest is None:
                self._manifest = Manifest(
                    schema_version=2,
                    media_type=types.DOCKER_MANIFEST_SCHEMA2,
                    config=Descriptor(
                        media_type=types.DOCKER_CONFIG_JSON,
                        size=len(self._raw_config),
                        digest=self._config_name,
                    ),
                    layers=_descriptors(self._layers),
                )
            return self._manifest

    def raw_manifest(self) -> bytes:
        """Return the manifest as Go's ``encoding/json`` writes it."""
        if self._raw_manifest is None:
            self._raw_manifest = self.manifest().to_json()
        return self._raw_manifest

    def digest(self) -> Hash:
        """Return the sha256 of the raw manifest."""
        return Hash.of(self.raw_manifest())

    def size(self) -> int:
        """Return the size in bytes of the raw manifest."""
        return len(self.raw_manifest())

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the layer (or the config, as a layer) whose blob digest is ``digest``."""
        if digest == self._config_name:
            return StaticLayer(self._raw_config, types.DOCKER_CONFIG_JSON)
        for layer in self._layers:
            if layer.digest() == digest:
                return layer
        raise TarballError(
            f"blob {digest} not found in image {self._config_name} of {self._archive.source}"
        )

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Return the layer whose uncompressed digest is ``diff_id``."""
        for layer in self._layers:
            if layer.diff_id() == diff_id:
                return layer
        raise TarballError(
            f"diff_id {diff_id} not found in image {self._config_name} of {self._archive.source}"
        )


def image(opener: Opener, *, tag: Tag | str | None = None, source: str = "tarball") -> TarballImage:
    """Return the image of the tarball ``opener`` opens (called again for each entry read).

    ``tag`` (a :class:`~containerregistry.name.Tag` or a string) picks one of several
    images by its RepoTags; without it (default None) the tarball must hold exactly
    one image. ``source`` names the tarball in error messages (default
    ``"tarball"``). ``manifest.json`` and the config are read now; layer digests
    when first needed. Raises :class:`InvalidTarballError` for a damaged or
    hostile tarball and :class:`TagNotFoundError` for an unknown tag.
    """
    if isinstance(tag, str):
        tag = new_tag(tag)
    archive = TarArchive(opener, source=source)
    descriptor = _find(read_manifest(archive), tag, source)
    return TarballImage(archive, descriptor)


def image_from_path(path: str | os.PathLike[str], *, tag: Tag | str | None = None) -> TarballImage:
    """Return the image of the tarball at ``path``; ``tag`` as in :func:`image` (default None)."""
    filename = os.fspath(path)

    def opener() -> BinaryIO:
        return open(filename, "rb")

    return image(opener, tag=tag, source=filename)


if TYPE_CHECKING:
    from containerregistry.v1 import Image as _ImageProtocol

    def _satisfies_image_protocol(img: TarballImage) -> _ImageProtocol:
        return img
