"""``validate``: check that an image or index is well formed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import types

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex


def validate(image: Image | ImageIndex, *, fast: bool = False) -> None:
    """Check ``image`` (or, recursively, an index) against its digests and sizes.

    ``fast`` (default False) only checks that layer blobs exist instead of reading
    them. Raises :class:`~containerregistry.validate.ValidationError` listing every
    problem.
    """
    from containerregistry import validate as checks

    if types.is_index(image.media_type()):
        checks.index(image, fast=fast)  # type: ignore[arg-type]
    else:
        checks.image(image, fast=fast)  # type: ignore[arg-type]
