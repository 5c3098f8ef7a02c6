"""``copy_referrers``: bring the signatures and attestations that refer to an image along."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from containerregistry import logs, types

if TYPE_CHECKING:
    from containerregistry import name
    from containerregistry.crane._options import Options
    from containerregistry.v1 import Hash


def subject_digests(item: object) -> list[Hash]:
    """The digest of ``item`` and, for an index, of every child (nested ones too).

    Signers refer to either: cosign signs what it was given (often the index),
    buildx attests each platform's image.
    """
    digests: list[Hash] = [item.digest()]  # type: ignore[attr-defined]
    manifest = getattr(item, "index_manifest", None)
    if not callable(manifest):
        return digests
    for child in manifest().manifests or ():
        if types.is_index(child.media_type):
            digests.extend(subject_digests(item.image_index(child.digest)))  # type: ignore[attr-defined]
        else:
            digests.append(child.digest)
    return digests


def copy_referrers(
    src: name.Repository,
    dst: name.Repository,
    subjects: Iterable[Hash],
    options: Options,
) -> list[Hash]:
    """Copy every manifest that refers to one of ``subjects`` from ``src`` to ``dst``.

    Referrers are listed with :func:`containerregistry.remote.referrers` (the
    referrers API, or the ``sha256-<hex>`` tag where the registry has none) and
    pushed by digest, so their digests do not change; pushing a manifest with a
    ``subject`` to a registry without the API updates the fallback tag there. The
    walk is recursive: referrers of referrers (a signature of an SBOM) come too.
    Returns the digests copied, in order. Progress lines go to
    ``containerregistry.progress``.
    """
    from containerregistry import remote

    read = options.remote(platform=False)
    seen: set[str] = set()
    copied: list[Hash] = []
    pending = list(subjects)
    while pending:
        subject = pending.pop(0)
        found = remote.referrers(src.digest(str(subject)), **read)
        for child in found.manifests or ():
            if str(child.digest) in seen:
                continue
            seen.add(str(child.digest))
            source = remote.get(src.digest(str(child.digest)), **read)
            target = dst.digest(str(child.digest))
            logs.progress.info("Copying referrer %s of %s", child.digest, subject)
            if types.is_index(source.media_type):
                remote.write_index(target, source.image_index(), **read)
            elif types.is_image(source.media_type):
                remote.write(target, source.image(), **read)
            else:
                remote.put(target, source, **read)
            copied.append(child.digest)
            pending.append(child.digest)
    return copied
