"""Writing to registries: ``push``, ``tag`` and ``delete``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.crane._errors import CraneError, CraneOptionsError
from containerregistry.crane._options import OptionArgs, Options

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry import name
    from containerregistry.v1 import Image, ImageIndex


class UntagUnsupportedError(CraneError):
    """The registry refuses to delete a manifest by tag (``tag --delete``)."""


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


#: OCI error codes with which registries refuse a DELETE by tag: distribution
#: answers DIGEST_INVALID (it only deletes by digest), Docker Hub UNSUPPORTED.
_NO_TAG_DELETE_CODES = frozenset({"DIGEST_INVALID", "UNSUPPORTED"})


def untag(ref: str, **options: Unpack[OptionArgs]) -> None:
    """Remove the tag ``ref`` names, leaving the manifest and its other tags in place.

    Sends ``DELETE /v2/<repo>/manifests/<tag>``, which the OCI distribution spec
    allows and some registries (ours, Harbor, ECR, ...) honour. ``ref`` must be a
    tag, not a digest. Raises :class:`UntagUnsupportedError` when the registry
    refuses to delete by tag (distribution answers ``DIGEST_INVALID``, Docker Hub
    ``UNSUPPORTED``), and other registry errors as they come.
    """
    from containerregistry import name, remote

    opts = Options.make(options)
    reference = opts.reference(ref)
    if not isinstance(reference, name.Tag):
        raise CraneOptionsError(
            f"{ref} names a digest; tag --delete removes a tag (use crane delete for a manifest)"
        )
    try:
        remote.delete(reference, **opts.remote(platform=False))
    except Exception as exc:
        codes = set(getattr(exc, "codes", None) or ())
        status = getattr(exc, "status", None)
        if codes & _NO_TAG_DELETE_CODES or status == 405:
            raise UntagUnsupportedError(
                f"registry {reference.registry.registry_str} does not support deleting tags; "
                f"{reference.tag_str} was left in place (the registry said: {exc}). To untag "
                "there, push a placeholder manifest to the tag or delete the manifest by "
                "digest with crane delete (which removes every tag pointing at it)"
            ) from exc
        raise
