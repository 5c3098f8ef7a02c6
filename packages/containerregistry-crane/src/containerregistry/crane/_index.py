"""``index_append``, ``index_filter`` and ``index_list``: build and trim image indexes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from containerregistry.errors import ContainerRegistryError

if TYPE_CHECKING:
    from containerregistry.v1 import Descriptor, Image, ImageIndex, Platform


class IndexChildError(ContainerRegistryError):
    """An index holds, or was asked to take, something that is neither an image nor an index."""


def _image_addendum(image: Image) -> object:
    from containerregistry import mutate, partial

    descriptor = partial.descriptor(image)
    platform = image.config_file().platform()
    import dataclasses

    return mutate.IndexAddendum(
        image, descriptor=dataclasses.replace(descriptor, platform=platform)
    )


def index_append(
    base: ImageIndex, manifests: Iterable[Image | ImageIndex], *, flatten: bool = True
) -> ImageIndex:
    """Return ``base`` with ``manifests`` appended, in order (``crane index append``).

    An image is added with the platform of its config. An index is, with
    ``flatten`` (default True), replaced by its children (each with its own
    descriptor); without it, it is added as one child. Raises
    :class:`IndexChildError` for an index child that is neither image nor index.
    """
    from containerregistry import mutate, types

    adds: list[mutate.IndexAddendum] = []
    for item in manifests:
        if not callable(getattr(item, "index_manifest", None)):
            adds.append(_image_addendum(item))  # type: ignore[arg-type]
            continue
        index: ImageIndex = item  # type: ignore[assignment]
        if not flatten:
            adds.append(mutate.IndexAddendum(index))
            continue
        for child in index.index_manifest().manifests or ():
            if types.is_image(child.media_type):
                adds.append(mutate.IndexAddendum(index.image(child.digest), descriptor=child))
            elif types.is_index(child.media_type):
                adds.append(mutate.IndexAddendum(index.image_index(child.digest), descriptor=child))
            else:
                raise IndexChildError(
                    f"unexpected child {child.digest} with media type {child.media_type!r}: "
                    "only images and indexes can be appended; pass --flatten=false to keep "
                    "the index whole"
                )
    return mutate.append_manifests(base, *adds)


def index_filter(index: ImageIndex, platforms: Sequence[Platform]) -> ImageIndex:
    """Return ``index`` keeping only children whose platform satisfies one of ``platforms``.

    Empty fields of a wanted platform match anything (``linux`` keeps every linux
    child); children without a platform are dropped (``crane index filter``).
    """
    from containerregistry import mutate

    def unwanted(descriptor: Descriptor) -> bool:
        have = descriptor.platform
        if have is None:
            return True
        return not any(have.satisfies(want) for want in platforms)

    return mutate.remove_manifests(index, unwanted)


#: ``crane index list``'s row format: Go's ``"%-70s %-20s %s"``.
_ROW = "{:<70} {:<20} {}\n"


def index_list(index: ImageIndex) -> str:
    """Return the table ``crane index list`` prints: a header, then one row per child.

    Columns are digest, media type and platform (``-`` when a child has none).
    """
    lines = [_ROW.format("Digest", "MediaType", "Platform")]
    for child in index.index_manifest().manifests or ():
        platform = str(child.platform) if child.platform is not None else "-"
        lines.append(_ROW.format(str(child.digest), child.media_type, platform))
    return "".join(lines)
