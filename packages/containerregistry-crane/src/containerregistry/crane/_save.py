"""Local formats: ``save`` (docker tarball), ``save_legacy``, ``save_oci`` and ``load``."""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from containerregistry import name, types
from containerregistry.crane._errors import FormatNotAvailableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from containerregistry.layout import Layout
    from containerregistry.v1 import Descriptor, Hash, Image, ImageIndex

#: The tag crane gives an image pulled by digest, since a tarball's RepoTags need one.
DIGEST_PLACEHOLDER_TAG = "i-was-a-digest"
#: The annotation ``pull --annotate-ref`` sets on layout entries.
REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"


def _tag_for(src: str, *, insecure: bool) -> name.Tag:
    reference = name.parse_reference(src, insecure=insecure)
    if isinstance(reference, name.Tag):
        return reference
    return name.new_tag(f"{reference.context.name}:{DIGEST_PLACEHOLDER_TAG}", insecure=insecure)


def save(image: Image, src: str, path: str | os.PathLike[str], *, insecure: bool = False) -> None:
    """Write ``image`` as a docker tarball at ``path``, tagged ``src`` (``crane.Save``).

    A digest reference is tagged ``<repo>:i-was-a-digest``. ``insecure`` (default
    False) only affects how ``src`` is parsed. The file is written atomically.
    """
    multi_save({src: image}, path, insecure=insecure)


def multi_save(
    images: Mapping[str, Image], path: str | os.PathLike[str], *, insecure: bool = False
) -> None:
    """Write several images, keyed by reference, into one docker tarball at ``path``."""
    from containerregistry import tarball

    tagged: dict[tarball.Reference, Image] = {
        _tag_for(src, insecure=insecure): image for src, image in images.items()
    }
    tarball.multi_ref_write_to_file(path, tagged)


def save_legacy(
    image: Image, src: str, path: str | os.PathLike[str], *, insecure: bool = False
) -> None:
    """Write ``image`` in the legacy docker-save (v1) format at ``path``, tagged ``src``.

    Unlike crane's SaveLegacy, this writes the legacy format (it needs the
    ``containerregistry-legacy`` distribution).
    """
    multi_save_legacy({src: image}, path, insecure=insecure)


def multi_save_legacy(
    images: Mapping[str, Image], path: str | os.PathLike[str], *, insecure: bool = False
) -> None:
    """Write several images, keyed by reference, into one legacy tarball at ``path``."""
    try:
        legacy = importlib.import_module("containerregistry.legacy")
    except ImportError:
        legacy = None
    writer = getattr(legacy, "multi_write_to_file", None)
    if writer is None:
        raise FormatNotAvailableError(
            "legacy format is not available yet; use --format tarball or oci"
        )
    writer(path, {_tag_for(src, insecure=insecure): image for src, image in images.items()})


def _layout_at(path: str) -> Layout:
    """The OCI layout at ``path`` (or ``gs://bucket/dir``), created (with an empty index)
    when missing."""
    from containerregistry import layout

    if path.startswith("gs://"):
        return layout.gcs_layout(path, create=True)
    if os.path.exists(os.path.join(path, "index.json")):
        return layout.from_path(path)
    return layout.create(path)


def save_oci(
    image: Image | ImageIndex,
    path: str | os.PathLike[str],
    *,
    ref_name: str | None = None,
) -> None:
    """Add ``image`` (an image or an index) to the OCI layout at ``path`` (``crane.SaveOCI``).

    The layout is created when missing. An entry with the same digest is replaced,
    so saving twice does not duplicate it (crane's #1807). ``ref_name`` (default
    None) is set as the ``org.opencontainers.image.ref.name`` annotation.
    """
    multi_save_oci([(image, ref_name)], path)


def multi_save_oci(
    images: list[tuple[Image | ImageIndex, str | None]], path: str | os.PathLike[str]
) -> None:
    """Add several images or indexes, each with an optional ref name, to one OCI layout."""
    target = _layout_at(os.fspath(path))
    for image, ref_name in images:
        annotations = {REF_NAME_ANNOTATION: ref_name} if ref_name else None
        matcher = _same_entry(image.digest(), ref_name)
        if types.is_index(image.media_type()):
            target.replace_index(image, matcher, annotations=annotations)  # type: ignore[arg-type]
        else:
            target.replace_image(image, matcher, annotations=annotations)  # type: ignore[arg-type]


def _same_entry(digest: Hash, ref_name: str | None) -> Callable[[Descriptor], bool]:
    """Match the entry a new save replaces: same digest and same ref name (or none)."""

    def matches(descriptor: Descriptor) -> bool:
        names = (descriptor.annotations or {}).get(REF_NAME_ANNOTATION)
        return descriptor.digest == digest and names == ref_name

    return matches


def load(path: str | os.PathLike[str], *, tag: str | None = None) -> Image:
    """Read the image in the docker tarball at ``path`` (``crane.Load`` / ``LoadTag``).

    ``tag`` (default None) picks one of several images; without it the tarball must
    hold exactly one.
    """
    from containerregistry import tarball

    image: Image = tarball.image_from_path(path, tag=tag)
    return image


def replace_by_name(image: Image | ImageIndex, path: str | os.PathLike[str], ref_name: str) -> None:
    """Put ``image`` in the OCI layout at ``path`` under ``ref_name``, as skopeo's ``oci:DIR:REF``.

    The layout is created when missing; an entry already named ``ref_name`` is
    replaced (its blobs stay until a garbage collection), other entries are kept.
    """
    target = _layout_at(os.fspath(path))
    annotations = {REF_NAME_ANNOTATION: ref_name}

    def named(descriptor: Descriptor) -> bool:
        return (descriptor.annotations or {}).get(REF_NAME_ANNOTATION) == ref_name

    if types.is_index(image.media_type()):
        target.replace_index(image, named, annotations=annotations)  # type: ignore[arg-type]
    else:
        target.replace_image(image, named, annotations=annotations)  # type: ignore[arg-type]
