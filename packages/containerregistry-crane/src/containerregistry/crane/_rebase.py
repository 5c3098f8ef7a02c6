"""``rebase``: move an image from one base image onto another."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.v1 import Hash, Image

#: The OCI annotations that name an image's base (crane append and rebase set them).
BASE_NAME_ANNOTATION = "org.opencontainers.image.base.name"
BASE_DIGEST_ANNOTATION = "org.opencontainers.image.base.digest"


def rebase(
    original: Image,
    old_base: Image,
    new_base: Image,
    *,
    new_base_name: str = "",
    new_base_digest: Hash | None = None,
) -> Image:
    """Return ``original`` with the layers of ``old_base`` replaced by those of ``new_base``.

    ``old_base``'s layers must be the first layers of ``original`` (else
    ``containerregistry.mutate.NotBasedOnError``). The result takes its os,
    architecture and base layers and history from ``new_base``. When
    ``new_base_name`` is given (default ``""``: leave the annotations alone), the
    manifest's base annotations are set to it and to ``new_base_digest`` (default
    None: ``new_base``'s digest; crane passes the digest of the index a tag names),
    so the next rebase finds its bases by itself.
    """
    from containerregistry import mutate

    rebased = mutate.rebase(original, old_base, new_base)
    if not new_base_name:
        return rebased
    digest = new_base_digest if new_base_digest is not None else new_base.digest()
    return mutate.annotations(
        rebased, {BASE_DIGEST_ANNOTATION: str(digest), BASE_NAME_ANNOTATION: new_base_name}
    )
