"""Writing to registries: ``push``, ``tag`` and ``delete``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.crane._options import OptionArgs, Options

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry import name
    from containerregistry.v1 import Image, ImageIndex


def push(image: Image | ImageIndex, dst: str, **options: Unpack[OptionArgs]) -> name.Digest:
    """Push ``image`` (an image or an index) to ``dst``; return ``dst``'s repo at its digest.

    Blobs the registry has are skipped, ``jobs`` (default 4) move at once.
    """
    from containerregistry import remote

    opts = Options.make(options)
    reference = opts.reference(dst)
    if types.is_index(image.media_type()):
        remote.write_index(reference, image, **opts.remote())  # type: ignore[arg-type]
    else:
        remote.write(reference, image, **opts.remote())  # type: ignore[arg-type]
    return reference.context.digest(str(image.digest()))


def tag(image: str, new_tag: str, **options: Unpack[OptionArgs]) -> None:
    """Give the manifest ``image`` names the tag ``new_tag`` in the same repository.

    ``new_tag`` is a bare tag such as ``v1`` (``crane.Tag``); the manifest is read
    once and put again under the new tag, unchanged.
    """
    from containerregistry import remote

    opts = Options.make(options)
    reference = opts.reference(image)
    descriptor = remote.get(reference, **opts.remote(platform=False))
    remote.tag(reference.context.tag(new_tag), descriptor, **opts.remote(platform=False))


def delete(ref: str, **options: Unpack[OptionArgs]) -> None:
    """Delete the manifest ``ref`` names (a tag or a digest) from its registry."""
    from containerregistry import remote

    opts = Options.make(options)
    remote.delete(opts.reference(ref), **opts.remote(platform=False))
