"""Writing images as a docker save v1 tarball (``crane pull --format legacy``)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Mapping
from typing import BinaryIO

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.files import atomic_file
from containerregistry.legacy._config import LayerConfigFile
from containerregistry.legacy._errors import HistoryMismatchError, LegacyTarballError
from containerregistry.name import DEFAULT_TAG, Digest, Tag
from containerregistry.tarball import ManifestDescriptor, manifest_to_json
from containerregistry.v1 import (
    Config,
    ConfigFile,
    Descriptor,
    Hash,
    History,
    Image,
    Layer,
    RootFS,
    go_json_dumps,
)

Reference = Tag | Digest

#: The content of every ``<v1id>/VERSION`` file: the v1 image spec's version.
LAYER_VERSION = b"1.0"
#: Layers whose uncompressed size is unknown are staged in memory up to this many
#: bytes, then on disk, so a layer is read once and never held in memory whole.
_SPOOL_IN_MEMORY = 8 << 20
_CHUNK = 1 << 20


def v1_layer_id(layer_digest: Hash, parent_id: str, raw_config: bytes = b"") -> str:
    """Return the v1 id of a layer: the sha256 hex of ``"<digest hex> <parent id>"``.

    For the top layer of an image pass the image's raw config (default ``b""``, for
    the other layers); it is appended after one more space, so two images that
    share every layer but differ in config get different top ids.
    """
    text = f"{layer_digest.hex} {parent_id}".encode()
    if raw_config:
        text += b" " + raw_config
    return hashlib.sha256(text).hexdigest()


def _repo_tag(tag: Tag) -> str:
    # docker load refuses a RepoTag without a tag, so ":latest" is spelled out; the
    # rest is the reference as the user wrote it, as crane writes it.
    text = str(tag)
    if tag.identifier == DEFAULT_TAG and not text.endswith(":" + DEFAULT_TAG):
        text = f"{text}:{DEFAULT_TAG}"
    return text


def _split_repo_tag(text: str) -> tuple[str, str]:
    """Split ``reg/repo:tag`` at its last colon, unless that colon is a registry port."""
    base, colon, tag = text.rpartition(":")
    if colon and "/" not in tag:
        return base, tag
    return text, ""


@dataclasses.dataclass
class _Planned:
    image: Image
    tags: list[str] | None
    config_hex: str


def _plan(ref_to_image: Mapping[Reference, Image]) -> list[_Planned]:
    """Group the references by image (manifest digest); order the images by config hex."""
    if not ref_to_image:
        raise LegacyTarballError("no images to write: give at least one reference and image")
    grouped: dict[Hash, _Planned] = {}
    for ref, img in ref_to_image.items():
        if not isinstance(ref, (Tag, Digest)):
            raise LegacyTarballError(
                f"want a Tag or Digest reference, got {type(ref).__name__} {ref!r}"
            )
        key = img.digest()
        planned = grouped.get(key)
        if planned is None:
            planned = grouped[key] = _Planned(img, None, img.config_name().hex)
        if isinstance(ref, Tag):
            planned.tags = sorted({*(planned.tags or ()), _repo_tag(ref)})
    # ggcr sorts by config hex alone; the manifest digest breaks ties so that the
    # output never depends on the order of the mapping.
    return sorted(grouped.values(), key=lambda p: (p.config_hex, str(p.image.digest())))


def _layer_history(img: Image, cfg: ConfigFile, count: int) -> list[History]:
    history = [entry for entry in cfg.history if not entry.empty_layer]
    if not history and count:
        return [History() for _ in range(count)]
    if len(history) != count:
        raise HistoryMismatchError(
            f"image {img.digest()}: its config has {len(history)} history entries for "
            f"layers (entries not marked empty_layer) but the image has {count} layers; "
            "the legacy format pairs each layer with one history entry: fix the config's "
            "history (or drop it entirely) before writing"
        )
    return history


def _layer_configs(img: Image, layers: list[Layer]) -> list[LayerConfigFile]:
    """Return the ``json`` metadata of each layer, base first, ids chained by parent."""
    cfg = img.config_file()
    raw_config = img.raw_config_file()
    history = _layer_history(img, cfg, len(layers))
    result = []
    parent = ""
    for index, (layer, step) in enumerate(zip(layers, history, strict=True)):
        top = index == len(layers) - 1
        layer_id = v1_layer_id(layer.digest(), parent, raw_config if top else b"")
        # Go's zero RootFS: no type, no diff_ids.
        part = ConfigFile(created=step.created, author=step.author, rootfs=RootFS(type=""))
        if top:
            part = dataclasses.replace(
                part,
                architecture=cfg.architecture,
                container=cfg.container,
                docker_version=cfg.docker_version,
                os=cfg.os,
                config=cfg.config,
                created=cfg.created,
            )
        result.append(
            LayerConfigFile(
                config_file=part,
                container_config=Config(cmd=(step.created_by,)),
                id=layer_id,
                parent=parent,
                throwaway=step.empty_layer,
                comment=step.comment,
            )
        )
        parent = layer_id
    return result


def _check_exhausted(stream: BinaryIO, layer: Layer, size: int) -> None:
    if stream.read(1):
        raise LegacyTarballError(
            f"layer {layer.digest()}: its uncompressed tar holds more than the {size} "
            "bytes it declares; the source is damaged"
        )


def _write_layer_tar(writer: TarWriter, name: str, layer: Layer) -> None:
    """Add the uncompressed tar of ``layer`` as entry ``name``, reading the layer once."""
    own_size = getattr(layer, "uncompressed_size", None)
    if callable(own_size):
        size = int(own_size())
        with layer.uncompressed() as stream:
            writer.add_file(name, stream, size=size)
            _check_exhausted(stream, layer, size)
        return
    # The tar header needs the size before the data: stage the tar once rather
    # than decompress (or download) the layer twice.
    with (
        tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool,
        layer.uncompressed() as stream,
    ):
        size = 0
        while chunk := stream.read(_CHUNK):
            spool.write(chunk)
            size += len(chunk)
        spool.seek(0)
        writer.add_file(name, spool, size=size)


def multi_ref_write(ref_to_image: Mapping[Reference, Image], fileobj: BinaryIO) -> None:
    """Write the images to ``fileobj`` as one docker save v1 tarball.

    Images are written in the order of their config digests. For each image:
    ``<config hex>.json`` (the raw config), then for each layer, base first,
    ``<v1id>/layer.tar`` (the uncompressed tar), ``<v1id>/json`` (a
    :class:`LayerConfigFile`) and ``<v1id>/VERSION`` (``1.0``); a layer already
    written for an earlier image is not written again. Last come ``manifest.json``
    (``Config`` ``<hex>.json``, ``Layers`` ``<v1id>/layer.tar``, ``LayerSources``
    for foreign layers) and ``repositories`` (``{"reg/repo": {"tag": top v1id}}``).
    A tag gets ``:latest`` spelled out when it was left out; an image named only
    by digest has ``RepoTags: null`` and no ``repositories`` entry. Tar headers are
    as crane writes them (mode 0644, mtime 0, uid/gid 0, USTAR). ``fileobj`` is not
    closed. Raises :class:`HistoryMismatchError` when the config's history does
    not pair up with the layers.
    """
    planned = _plan(ref_to_image)
    descriptors: list[ManifestDescriptor] = []
    repositories: dict[str, dict[str, str]] = {}
    written: set[str] = set()
    writer = TarWriter(fileobj)
    for p in planned:
        img = p.image
        config_entry = f"{p.config_hex}.json"
        if config_entry not in written:
            written.add(config_entry)
            writer.add_file(config_entry, img.raw_config_file())
        layers = img.layers()
        manifest_layers = img.manifest().layers or ()
        if len(manifest_layers) != len(layers):
            raise LegacyTarballError(
                f"image {img.digest()} lists {len(manifest_layers)} layers in its manifest "
                f"but returns {len(layers)}"
            )
        sources: dict[Hash, Descriptor] = {}
        files: list[str] = []
        metadata = _layer_configs(img, layers)
        for layer, descriptor, meta in zip(layers, manifest_layers, metadata, strict=True):
            if not types.is_distributable(descriptor.media_type):
                sources[layer.diff_id()] = descriptor
            files.append(f"{meta.id}/layer.tar")
            if meta.id in written:
                continue
            written.add(meta.id)
            _write_layer_tar(writer, f"{meta.id}/layer.tar", layer)
            writer.add_file(f"{meta.id}/json", meta.to_json())
            writer.add_file(f"{meta.id}/VERSION", LAYER_VERSION)
        descriptors.append(
            ManifestDescriptor(
                config=config_entry,
                repo_tags=None if p.tags is None else tuple(p.tags),
                layers=tuple(files),
                layer_sources=sources,
            )
        )
        if metadata:
            for text in p.tags or ():
                repository, tag = _split_repo_tag(text)
                repositories.setdefault(repository, {})[tag] = metadata[-1].id
    writer.add_file("manifest.json", manifest_to_json(descriptors))
    writer.add_file("repositories", go_json_dumps(repositories))
    writer.close()


def multi_write(tag_to_image: Mapping[Tag, Image], fileobj: BinaryIO) -> None:
    """Write several tagged images to ``fileobj``; as :func:`multi_ref_write`."""
    refs: dict[Reference, Image] = dict(tag_to_image.items())
    multi_ref_write(refs, fileobj)


def write(ref: Reference, image: Image, fileobj: BinaryIO) -> None:
    """Write one image under ``ref`` to ``fileobj``; as :func:`multi_ref_write`."""
    multi_ref_write({ref: image}, fileobj)


def multi_ref_write_to_file(
    path: str | os.PathLike[str], ref_to_image: Mapping[Reference, Image]
) -> None:
    """Write the images to a legacy tarball at ``path``: a temporary file renamed into place.

    On any error ``path`` is left as it was. Format as :func:`multi_ref_write`.
    """
    with atomic_file(path) as handle:
        multi_ref_write(ref_to_image, handle)


def multi_write_to_file(path: str | os.PathLike[str], tag_to_image: Mapping[Tag, Image]) -> None:
    """Write several tagged images to ``path`` atomically; as :func:`multi_ref_write_to_file`."""
    refs: dict[Reference, Image] = dict(tag_to_image.items())
    multi_ref_write_to_file(path, refs)


def write_to_file(path: str | os.PathLike[str], ref: Reference, image: Image) -> None:
    """Write one image under ``ref`` to ``path`` atomically; as :func:`multi_ref_write_to_file`."""
    multi_ref_write_to_file(path, {ref: image})
