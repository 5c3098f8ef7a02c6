"""``MutatedIndex``, ``append_manifests`` and ``remove_manifests``."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from containerregistry.lazy import record
from containerregistry.mutate._describe import describe, is_image, is_index
from containerregistry.mutate._errors import MutateError
from containerregistry.v1 import Descriptor, Hash, IndexManifest, Platform

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex, Layer

_UNSET: object = object()

#: A predicate over descriptors (``containerregistry.match`` builds them).
Matcher = Callable[[Descriptor], bool]


@record
class IndexAddendum:
    """A manifest (image or index, or a layer) to add to an index, and descriptor overrides.

    Attributes:
        add: the image, index or layer; its descriptor is its own ``descriptor()``
            if it has one, else its media type, size and digest.
        descriptor: a descriptor whose non-empty fields (media type, size,
            digest, data, URLs, annotations, platform, artifact type) replace the
            computed ones (default None).
        platform: the platform to record (default None: keep).
        annotations: annotations to record, replacing the computed ones (default None).
        urls: URLs to record (default None).
        media_type: media type to record (default None).
    """

    add: Any
    descriptor: Descriptor | None = None
    platform: Platform | None = None
    annotations: Mapping[str, str] | None = None
    urls: Sequence[str] | None = None
    media_type: str | None = None

    def resolve(self) -> Descriptor:
        """Return the descriptor this addendum contributes to the index."""
        result = describe(self.add)
        changes: dict[str, Any] = {}
        given = self.descriptor
        if given is not None:
            if given.size:
                changes["size"] = given.size
            if given.media_type:
                changes["media_type"] = given.media_type
            changes["digest"] = given.digest
            if given.platform is not None:
                changes["platform"] = given.platform
            if given.urls:
                changes["urls"] = tuple(given.urls)
            if given.annotations:
                changes["annotations"] = dict(given.annotations)
            if given.data:
                changes["data"] = given.data
            if given.artifact_type:
                changes["artifact_type"] = given.artifact_type
        if self.platform is not None:
            changes["platform"] = self.platform
        if self.annotations:
            changes["annotations"] = dict(self.annotations)
        if self.urls:
            changes["urls"] = tuple(self.urls)
        if self.media_type:
            changes["media_type"] = self.media_type
        return dataclasses.replace(result, **changes) if changes else result


@record
class _Computed:
    manifest: IndexManifest
    raw_manifest: bytes
    images: Mapping[Hash, Image]
    indexes: Mapping[Hash, ImageIndex]
    layers: Mapping[Hash, Layer]


class MutatedIndex:
    """An index that is ``base`` with removals, additions and overrides, computed once.

    Removals apply before additions. Removing every child gives ``"manifests":null``
    (Go's nil slice), as ggcr writes it.
    """

    def __init__(
        self,
        base: ImageIndex,
        *,
        adds: Sequence[IndexAddendum] = (),
        remove: Matcher | None = None,
        annotations: Mapping[str, str] | None = None,
        media_type: str | None = None,
        subject: object = _UNSET,
    ) -> None:
        self._base = base
        self._adds = tuple(adds)
        self._remove = remove
        self._annotations = None if annotations is None else dict(annotations)
        self._media_type = media_type
        self._subject = subject
        self._lock = threading.Lock()
        self._computed: _Computed | None = None

    def _compute(self) -> _Computed:
        with self._lock:
            if self._computed is None:
                self._computed = self._build()
            return self._computed

    def _build(self) -> _Computed:
        base_manifest = self._base.index_manifest()
        manifests: list[Descriptor] | None = (
            None if base_manifest.manifests is None else list(base_manifest.manifests)
        )
        if self._remove is not None:
            kept = [child for child in manifests or () if not self._remove(child)]
            manifests = kept or None  # Go appends to a nil slice: nothing kept is null
        images: dict[Hash, Image] = {}
        indexes: dict[Hash, ImageIndex] = {}
        layers: dict[Hash, Layer] = {}
        for add in self._adds:
            descriptor = add.resolve()
            if manifests is None:
                manifests = []
            manifests.append(descriptor)
            if is_index(add.add):
                indexes[descriptor.digest] = add.add
            elif is_image(add.add):
                images[descriptor.digest] = add.add
            else:
                layers[descriptor.digest] = add.add
        changes: dict[str, Any] = {
            "manifests": None if manifests is None else tuple(manifests),
        }
        if self._media_type is not None:
            changes["media_type"] = self._media_type
        if self._annotations is not None:
            merged = dict(base_manifest.annotations)
            merged.update(self._annotations)
            changes["annotations"] = merged
        if self._subject is not _UNSET:
            changes["subject"] = self._subject
        manifest = dataclasses.replace(base_manifest, **changes)
        return _Computed(
            manifest=manifest,
            raw_manifest=manifest.to_json(),
            images=images,
            indexes=indexes,
            layers=layers,
        )

    # -- the ImageIndex protocol ------------------------------------------------

    def media_type(self) -> str:
        """Return the overridden media type, else the base's."""
        if self._media_type is not None:
            return self._media_type
        return self._base.media_type()

    def digest(self) -> Hash:
        """Return the sha256 of the new raw index manifest."""
        return Hash.of(self._compute().raw_manifest)

    def size(self) -> int:
        """Return the size of the new raw index manifest."""
        return len(self._compute().raw_manifest)

    def index_manifest(self) -> IndexManifest:
        """Return the new index manifest."""
        return self._compute().manifest

    def raw_manifest(self) -> bytes:
        """Return the new index manifest bytes (as Go's ``json.Marshal`` writes them)."""
        return self._compute().raw_manifest

    def image(self, digest: Hash) -> Image:
        """Return an added image with this manifest digest, else ask the base."""
        found = self._compute().images.get(digest)
        return found if found is not None else self._base.image(digest)

    def image_index(self, digest: Hash) -> ImageIndex:
        """Return an added index with this manifest digest, else ask the base."""
        found = self._compute().indexes.get(digest)
        return found if found is not None else self._base.image_index(digest)

    def layer(self, digest: Hash) -> Layer:
        """Return an added layer (or the base's, if it can look layers up) with this digest."""
        found = self._compute().layers.get(digest)
        if found is not None:
            return found
        lookup = getattr(self._base, "layer", None)
        if callable(lookup):
            result: Layer = lookup(digest)
            return result
        raise MutateError(f"layer {digest} is not in this index: it was not added to it")


def append_manifests(index: ImageIndex, *addenda: IndexAddendum) -> ImageIndex:
    """Return ``index`` with one descriptor per addendum appended, in order (lazily)."""
    return MutatedIndex(index, adds=addenda)


def remove_manifests(index: ImageIndex, matcher: Matcher) -> ImageIndex:
    """Return ``index`` without the descriptors ``matcher`` accepts (lazily).

    Removing every child gives ``"manifests":null``, as crane writes it.
    """
    return MutatedIndex(index, remove=matcher)


if TYPE_CHECKING:
    from containerregistry.v1 import ImageIndex as _IndexProtocol

    def _satisfies_index_protocol(index: MutatedIndex) -> _IndexProtocol:
        return index
