"""``untagged`` (gcrane's ``gc``) and ``delete_images``: find and remove untagged images."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from containerregistry import name, types
from containerregistry.errors import ContainerRegistryError
from containerregistry.gcrane._options import GcraneArgs, listing_options, split
from containerregistry.gcrane._retry import retrying
from containerregistry.lazy import record

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry.google import Tags


@record
class Untagged:
    """An untagged image: ``digest`` (a :class:`~containerregistry.name.Digest`) and its
    manifest's ``media_type`` as the listing gave it. ``str()`` is ``<repo>@<digest>``."""

    digest: name.Digest
    media_type: str = ""

    def __str__(self) -> str:
        return self.digest.name


def _order(image: Untagged) -> tuple[str, str]:
    return image.digest.context.name, image.digest.digest_str


def _untagged_of(repo: name.Repository, tags: Tags) -> list[Untagged]:
    found = []
    for digest in tags.untagged:
        ref = name.new_digest(f"{repo.name}@{digest}", insecure=repo.registry.insecure)
        found.append(Untagged(ref, tags.manifests[digest].media_type))
    return found


def untagged(
    repo: str | name.Repository, *, recursive: bool = False, **options: Unpack[GcraneArgs]
) -> list[Untagged]:
    """Return the untagged images of ``repo`` (and, with ``recursive`` (default False),
    of every repository below it), sorted by repository, then digest.

    Only registries with GCR's extended listing say which manifests are untagged;
    others give an empty list. A repository that cannot be listed raises (its
    error, after the listing's own retries).
    """
    from containerregistry import google

    passed, _ = split(options)
    listing = listing_options(passed)
    if isinstance(repo, str):
        repo = name.new_repository(repo, insecure=bool(passed.get("insecure")))
    if not recursive:
        return _untagged_of(repo, google.list(repo, **listing))
    found: list[Untagged] = []
    errors: list[ContainerRegistryError] = []

    def visit(
        child: name.Repository, tags: Tags | None, error: ContainerRegistryError | None
    ) -> None:
        if error is not None:
            errors.append(error)
        elif tags is not None:
            found.extend(_untagged_of(child, tags))

    google.walk(repo, visit, **listing)
    if errors:
        raise errors[0]
    return sorted(found, key=_order)


@dataclasses.dataclass
class DeleteReport:
    """What :func:`delete_images` did: ``deleted`` images (or, in a dry run, those it
    would delete) and ``failed`` ``(image, error)`` pairs, both in deletion order
    (indexes first, then by repository and digest)."""

    deleted: list[Untagged] = dataclasses.field(default_factory=list)
    failed: list[tuple[Untagged, ContainerRegistryError]] = dataclasses.field(default_factory=list)
    dry_run: bool = False


def deletion_order(images: Iterable[Untagged]) -> list[Untagged]:
    """Indexes before images: a registry refuses to delete a manifest an index lists."""
    return sorted(images, key=lambda image: (not types.is_index(image.media_type), _order(image)))


def delete_images(
    images: Iterable[Untagged], *, dry_run: bool = False, **options: Unpack[GcraneArgs]
) -> DeleteReport:
    """Delete each of ``images`` (indexes first), continuing past failures.

    Each deletion is repeated on temporary errors as ``retry`` says; ``jobs``
    (default 4) run at once, but every index is deleted before any image. With
    ``dry_run`` (default False) nothing is deleted and the report lists what would
    be. Never raises for a single failure: check ``report.failed``.
    """
    import concurrent.futures

    from containerregistry import remote

    passed, policy = split(options)
    remote_options = listing_options(passed)
    ordered = deletion_order(images)
    report = DeleteReport(dry_run=dry_run)
    if dry_run:
        report.deleted.extend(ordered)
        return report
    lock = threading.Lock()

    def delete(image: Untagged) -> None:
        try:
            retrying(
                lambda: remote.delete(image.digest, **remote_options),
                f"deleting {image}",
                policy,
            )
        except ContainerRegistryError as error:
            with lock:
                report.failed.append((image, error))
            return
        with lock:
            report.deleted.append(image)

    indexes = [i for i in ordered if types.is_index(i.media_type)]
    rest = [i for i in ordered if not types.is_index(i.media_type)]
    with concurrent.futures.ThreadPoolExecutor(passed["jobs"]) as pool:
        for batch in (indexes, rest):
            for future in [pool.submit(delete, image) for image in batch]:
                future.result()
    # Deletions finish in any order; report them in the order they were started.
    position = {id(image): i for i, image in enumerate(ordered)}
    report.deleted.sort(key=lambda image: position[id(image)])
    report.failed.sort(key=lambda pair: position[id(pair[0])])
    return report
