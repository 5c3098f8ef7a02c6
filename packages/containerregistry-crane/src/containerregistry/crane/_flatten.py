"""``flatten``: squash an image (or each image of an index) into a single layer."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
import weakref
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex, Layer, Time

#: gzip level of the flattened layer: crane uses BestCompression, since one big
#: layer is pulled far more often than it is pushed.
FLATTEN_LEVEL = 9
_CHUNK = 1 << 20


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def flattened_layer(image: Image) -> Layer:
    """Return one gzip (level 9) layer holding the filesystem of ``image``.

    The extracted tar is compressed once into a temporary file (removed when the
    layer is garbage collected), so the layer can be read as often as sinks need.
    """
    from containerregistry import compression, mutate, tarball

    spool = tempfile.NamedTemporaryFile(prefix="crane-flatten-", suffix=".tar.gz", delete=False)  # noqa: SIM115
    try:
        with (
            spool,
            mutate.extract(image) as flat,
            compression.compress(flat, level=FLATTEN_LEVEL) as packed,
        ):
            shutil.copyfileobj(packed, spool, _CHUNK)
        layer = tarball.layer_from_file(spool.name)
    except BaseException:
        _unlink_quietly(spool.name)
        raise
    weakref.finalize(layer, _unlink_quietly, spool.name)
    return layer


def flatten(image: Image, *, program: str = "crane", created: Time | None = None) -> Image:
    """Return ``image`` with all its layers squashed into one (``crane flatten``).

    The config keeps everything but its layer list: history becomes one entry whose
    ``created_by`` is ``"<program> flatten <old digest>"`` and whose comment is the
    JSON of the old history, and ``created`` (config and entry) is ``created``
    (default None: now, in UTC, as crane; pass a time to make the result
    reproducible). Manifest annotations and the OCI or Docker flavour of the
    manifest, config and layer media types are kept. The layer is built now.
    """
    from containerregistry import empty, mutate, types
    from containerregistry.v1 import History, Time, go_json_dumps

    when = created if created is not None else Time.now().utc()
    old_digest = image.digest()
    manifest = image.manifest()
    config_file = image.config_file()
    old_history = go_json_dumps(list(config_file.history) or None).decode()
    bare = dataclasses.replace(
        config_file,
        created=when,
        history=(),
        rootfs=dataclasses.replace(config_file.rootfs, diff_ids=()),
    )
    layer = flattened_layer(image)
    oci = manifest.media_type == types.OCI_MANIFEST_SCHEMA1
    base: Image = mutate.config_file(empty.image, bare)
    if oci:
        base = mutate.media_type(base, types.OCI_MANIFEST_SCHEMA1)
        base = mutate.config_media_type(base, types.OCI_CONFIG_JSON)
    result = mutate.append(
        base,
        mutate.Addendum(
            layer,
            history=History(
                created=when, created_by=f"{program} flatten {old_digest}", comment=old_history
            ),
            media_type=types.OCI_LAYER if oci else types.DOCKER_LAYER,
        ),
    )
    if manifest.annotations:
        result = mutate.annotations(result, dict(manifest.annotations))
    return result


def _is_attestation(platform: object) -> bool:
    return (
        platform is not None
        and getattr(platform, "os", "") == "unknown"
        and getattr(platform, "architecture", "") == "unknown"
    )


def flatten_index(
    index: ImageIndex, *, program: str = "crane", created: Time | None = None
) -> ImageIndex:
    """Return ``index`` with every image flattened (nested indexes recursively).

    Children whose platform is ``unknown/unknown`` (attestations) are dropped, as
    crane does; other children keep their descriptors (platform, annotations) with
    the new digest and size. The index keeps its annotations and media type.
    Options as :func:`flatten`. Every image is flattened now.
    """
    from containerregistry import empty, mutate, types

    manifest = index.index_manifest()
    adds = []
    for child in manifest.manifests or ():
        if _is_attestation(child.platform):
            continue
        new: Image | ImageIndex
        if types.is_index(child.media_type):
            new = flatten_index(index.image_index(child.digest), program=program, created=created)
        elif types.is_image(child.media_type):
            new = flatten(index.image(child.digest), program=program, created=created)
        else:
            continue
        descriptor = dataclasses.replace(child, digest=new.digest(), size=new.size())
        adds.append(mutate.IndexAddendum(new, descriptor=descriptor))
    result = mutate.append_manifests(empty.index, *adds)
    if manifest.annotations:
        result = mutate.annotations(result, dict(manifest.annotations))
    return mutate.index_media_type(result, index.media_type())
