"""``media_type``, ``config_media_type`` and ``index_media_type``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from containerregistry.mutate._describe import is_image, is_index
from containerregistry.mutate._errors import MutateError
from containerregistry.mutate._image import MutatedImage
from containerregistry.mutate._index import MutatedIndex

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex

_T = TypeVar("_T")


def media_type(target: _T, media_type: str) -> _T:
    """Return ``target`` (an image or index) with ``media_type`` as its manifest's media type.

    The ``mediaType`` field of the manifest is set to it and ``media_type()``
    returns it; nothing else changes.
    """
    result: Any
    if is_image(target):
        result = MutatedImage(target, media_type=media_type)  # type: ignore[arg-type]
    elif is_index(target):
        result = MutatedIndex(target, media_type=media_type)  # type: ignore[arg-type]
    else:
        raise MutateError(
            f"cannot set the media type of a {type(target).__name__}: want an image or index"
        )
    return result  # type: ignore[no-any-return]


def config_media_type(image: Image, media_type: str) -> Image:
    """Return ``image`` whose manifest gives its config ``media_type``.

    The config bytes follow the base's kind: an image config is re-serialized,
    an artifact config is kept as is.
    """
    return MutatedImage(image, config_media_type=media_type)


def index_media_type(index: ImageIndex, media_type: str) -> ImageIndex:
    """Return ``index`` with ``media_type`` as its media type (and ``mediaType`` field)."""
    return MutatedIndex(index, media_type=media_type)
