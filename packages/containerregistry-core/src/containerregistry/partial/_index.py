"""An ImageIndex view over a raw index manifest and the children it lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from containerregistry import types
from containerregistry.partial._errors import BlobNotFoundError
from containerregistry.partial._memo import Memo
from containerregistry.v1 import Hash, Image, ImageIndex, IndexManifest


class _Index:
    def __init__(
        self,
        raw_manifest: bytes,
        children: Mapping[Hash, Image | ImageIndex] | Callable[[Hash], Image | ImageIndex],
        media_type: str | None,
    ) -> None:
        self._raw = bytes(raw_manifest)
        self._children = children
        self._parsed = Memo(lambda: IndexManifest.from_json(self._raw))
        self._digest = Memo(lambda: Hash.of(self._raw))
        self._media_type = media_type

    def raw_manifest(self) -> bytes:
        return self._raw

    def index_manifest(self) -> IndexManifest:
        return self._parsed.get()

    def media_type(self) -> str:
        if self._media_type:
            return self._media_type
        return self.index_manifest().media_type or types.OCI_IMAGE_INDEX

    def digest(self) -> Hash:
        return self._digest.get()

    def size(self) -> int:
        return len(self._raw)

    def _child(self, digest: Hash) -> Image | ImageIndex:
        if callable(self._children):
            return self._children(digest)
        try:
            return self._children[digest]
        except KeyError:
            raise BlobNotFoundError(
                f"manifest {digest} is not a child of index {self.digest()}"
            ) from None

    def image(self, digest: Hash) -> Image:
        child = self._child(digest)
        if not isinstance(child, Image):
            raise BlobNotFoundError(f"child {digest} of index {self.digest()} is not an image")
        return child

    def image_index(self, digest: Hash) -> ImageIndex:
        child = self._child(digest)
        if not isinstance(child, ImageIndex):
            raise BlobNotFoundError(f"child {digest} of index {self.digest()} is not an index")
        return child


def index_from_raw(
    raw_manifest: bytes,
    *,
    children: Mapping[Hash, Image | ImageIndex] | Callable[[Hash], Image | ImageIndex],
    media_type: str | None = None,
) -> ImageIndex:
    """Build an ImageIndex from its raw manifest and its children.

    Args:
        raw_manifest: the index manifest bytes, exactly as stored.
        children: the child images and indexes by manifest digest, or a function
            returning the child for a digest.
        media_type: default None: the manifest's own ``mediaType``, else the OCI
            index type.
    """
    return _Index(raw_manifest, children, media_type)


if TYPE_CHECKING:

    def _satisfies_protocol(index: _Index) -> Any:
        checked: ImageIndex = index
        return checked
