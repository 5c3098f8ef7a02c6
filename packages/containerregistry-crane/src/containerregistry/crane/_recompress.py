"""``recompress``: convert an image's layers to zstd or gzip (``--compression``).

Each tar layer is decompressed and compressed again with
:mod:`containerregistry.compression` (deterministic, so the same image gives the
same digests every run). The config bytes are kept as they are: a layer's
uncompressed content (its diff_id) does not change.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import io
import os
import tempfile
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import types
from containerregistry.compression import Compression
from containerregistry.crane._errors import CraneOptionsError, InputError

if TYPE_CHECKING:
    from containerregistry.v1 import Descriptor, Hash, Image, ImageIndex, Layer

#: The ``--compression`` values and what they mean.
ALGORITHMS: Mapping[str, Compression] = {"gzip": Compression.GZIP, "zstd": Compression.ZSTD}

#: Layer types holding a plain filesystem tar (compressed or not): these are converted.
#: Foreign and non-distributable layers are never touched (their bytes live elsewhere).
_TAR_LAYERS = frozenset(
    {
        types.DOCKER_LAYER,
        types.DOCKER_UNCOMPRESSED_LAYER,
        types.OCI_LAYER,
        types.OCI_LAYER_ZSTD,
        types.OCI_UNCOMPRESSED_LAYER,
    }
)
#: A Docker foreign layer kept in a manifest that becomes OCI takes the OCI type.
_OCI_OF_DOCKER = {types.DOCKER_FOREIGN_LAYER: types.OCI_RESTRICTED_LAYER}
_CHUNK = 1 << 20


def parse_algorithm(value: Compression | str) -> Compression:
    """Return the :class:`Compression` that ``value`` (``zstd`` or ``gzip``) names.

    Raises :class:`CraneOptionsError` for anything else.
    """
    if isinstance(value, Compression) and value is not Compression.NONE:
        return value
    found = ALGORITHMS.get(str(value).lower()) if isinstance(value, str) else None
    if found is None:
        raise CraneOptionsError(
            f"unknown compression {value!r}; want one of {', '.join(sorted(ALGORITHMS))}"
        )
    return found


def _layer_type(algorithm: Compression, oci: bool) -> str:
    if algorithm is Compression.ZSTD:
        return types.OCI_LAYER_ZSTD
    return types.OCI_LAYER if oci else types.DOCKER_LAYER


class _Spools:
    """Temporary files of converted layers, removed with the image that reads them."""

    def __init__(self) -> None:
        self.paths: dict[str, str] = {}
        weakref.finalize(self, _unlink_all, self.paths)


def _unlink_all(paths: dict[str, str]) -> None:
    for path in paths.values():
        with contextlib.suppress(OSError):
            os.unlink(path)


def _convert(layer: Layer, algorithm: Compression) -> tuple[str, str, int]:
    """Compress ``layer``'s tar into a spool file; return its path, sha256 hex and size."""
    from containerregistry import compression

    spool = tempfile.NamedTemporaryFile(prefix="crane-recompress-", delete=False)  # noqa: SIM115
    try:
        digest = hashlib.sha256()
        size = 0
        with (
            spool,
            layer.uncompressed() as tar,
            compression.compress(tar, algorithm=algorithm) as out,
        ):
            while chunk := out.read(_CHUNK):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(spool.name)
        raise
    return spool.name, digest.hexdigest(), size


def recompress(image: Image, algorithm: Compression | str, *, jobs: int = 4) -> Image:
    """Return ``image`` with every tar layer compressed with ``algorithm`` (zstd or gzip).

    Layers already compressed that way keep their bytes. Converted layers take the
    type for their compression: ``application/vnd.oci.image.layer.v1.tar+zstd``
    for zstd; for gzip the OCI or Docker gzip type, following the manifest. A
    Docker manifest cannot list zstd layers, so converting one to zstd makes it an
    OCI manifest (OCI config type, foreign layers as OCI non-distributable ones).
    Layer annotations and URLs, manifest annotations, the subject and the config
    bytes are kept. Layers are converted now, ``jobs`` (default 4) at a time, into
    temporary files removed when the image is garbage collected. Raises
    :class:`InputError` for a schema 1 image.
    """
    from containerregistry import partial
    from containerregistry.v1 import Hash

    wanted = parse_algorithm(algorithm)
    manifest = image.manifest()
    if types.is_schema1(image.media_type()):
        raise InputError("schema 1 images cannot be recompressed; copy them without --compression")
    oci = manifest.media_type == types.OCI_MANIFEST_SCHEMA1
    to_oci = not oci and wanted is Compression.ZSTD
    target = _layer_type(wanted, oci or to_oci)
    descriptors = list(manifest.layers or ())
    todo = [d for d in descriptors if d.media_type in _TAR_LAYERS and d.media_type != target]
    spools = _Spools()
    converted: dict[str, Descriptor] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            str(d.digest): pool.submit(_convert, image.layer_by_digest(d.digest), wanted)
            for d in todo
        }
        for old, future in futures.items():
            path, hex_digest, size = future.result()
            new_digest = Hash.parse(f"sha256:{hex_digest}")
            spools.paths[str(new_digest)] = path
            converted[old] = dataclasses.replace(
                next(d for d in todo if str(d.digest) == old),
                media_type=target,
                digest=new_digest,
                size=size,
            )
    layers = []
    for descriptor in descriptors:
        if str(descriptor.digest) in converted:
            layers.append(converted[str(descriptor.digest)])
        elif to_oci and descriptor.media_type in _OCI_OF_DOCKER:
            layers.append(
                dataclasses.replace(descriptor, media_type=_OCI_OF_DOCKER[descriptor.media_type])
            )
        else:
            layers.append(descriptor)
    config = manifest.config
    new_manifest = dataclasses.replace(manifest, layers=tuple(layers))
    if to_oci:
        if config.media_type == types.DOCKER_CONFIG_JSON:
            config = dataclasses.replace(config, media_type=types.OCI_CONFIG_JSON)
        new_manifest = dataclasses.replace(
            new_manifest, media_type=types.OCI_MANIFEST_SCHEMA1, config=config
        )
    raw_config = image.raw_config_file()

    def open_blob(digest: Hash) -> BinaryIO:
        path = spools.paths.get(str(digest))
        if path is not None:
            return open(path, "rb")
        if digest == config.digest:
            return io.BytesIO(raw_config)
        return image.layer_by_digest(digest).compressed()

    result: Image = partial.image_from_blobs(
        new_manifest.to_json(),
        open_blob=open_blob,
        raw_config=raw_config,
        media_type=new_manifest.media_type or image.media_type(),
    )
    return result


def map_index(index: ImageIndex, change: Callable[[Image], Image]) -> ImageIndex:
    """Return ``index`` with ``change`` applied to every image (nested indexes too).

    Each child descriptor keeps its platform, annotations and artifact type and takes
    the new media type, digest and size. Children that are neither images nor
    indexes (artifacts) are kept as they are. The index keeps its media type and
    annotations.
    """
    from containerregistry import empty, mutate

    manifest = index.index_manifest()
    adds = []
    for child in manifest.manifests or ():
        new: Image | ImageIndex
        if types.is_index(child.media_type):
            new = map_index(index.image_index(child.digest), change)
        elif types.is_image(child.media_type):
            new = change(index.image(child.digest))
        else:
            adds.append(mutate.IndexAddendum(index.image(child.digest), descriptor=child))
            continue
        descriptor = dataclasses.replace(
            child, media_type=new.media_type(), digest=new.digest(), size=new.size()
        )
        adds.append(mutate.IndexAddendum(new, descriptor=descriptor))
    result = mutate.append_manifests(empty.index, *adds)
    if manifest.annotations:
        result = mutate.annotations(result, dict(manifest.annotations))
    return mutate.index_media_type(result, index.media_type())


def oci_if_mixed(index: ImageIndex) -> ImageIndex:
    """Return ``index`` as an OCI index when it is a Docker list holding OCI manifests.

    Converting to zstd turns Docker children into OCI manifests; a Docker manifest
    list of OCI manifests confuses clients, so the list becomes an OCI index too.
    """
    from containerregistry import mutate

    if index.media_type() != types.DOCKER_MANIFEST_LIST:
        return index
    children = index.index_manifest().manifests or ()
    if any(child.media_type == types.OCI_MANIFEST_SCHEMA1 for child in children):
        return mutate.index_media_type(index, types.OCI_IMAGE_INDEX)
    return index
