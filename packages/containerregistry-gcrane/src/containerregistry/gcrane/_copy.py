"""``copy`` and the recursive ``copy_repository`` (gcrane's ``cp -r``)."""

from __future__ import annotations

import dataclasses
import functools
import threading
from typing import TYPE_CHECKING, Any

from containerregistry import logs, name
from containerregistry.errors import ContainerRegistryError
from containerregistry.gcrane._errors import RepositoryCopyError
from containerregistry.gcrane._options import GcraneArgs, listing_options, split
from containerregistry.gcrane._retry import retrying
from containerregistry.lazy import record

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry.google import Tags
    from containerregistry.transport import Retry


@record
class ImageCopy:
    """One image a recursive copy moves: ``digest`` from ``src`` to ``dst`` (repositories).

    ``tags`` are the tags still missing in ``dst`` (empty: an untagged image, copied
    by digest); ``present`` says the manifest is already in ``dst`` (only tags are
    added then).
    """

    src: name.Repository
    dst: name.Repository
    digest: str
    tags: tuple[str, ...] = ()
    present: bool = False

    def __str__(self) -> str:
        return f"{self.src.name}@{self.digest}"


@dataclasses.dataclass
class CopyReport:
    """What a recursive copy did.

    - ``copied``: the images copied (or tagged), in the order they finished;
    - ``failed``: ``(what, error)`` for each repository that could not be listed and
      each image that could not be copied, after retries.
    """

    copied: list[ImageCopy] = dataclasses.field(default_factory=list)
    failed: list[tuple[str, ContainerRegistryError]] = dataclasses.field(default_factory=list)


def copy(src: str, dst: str, **options: Unpack[GcraneArgs]) -> None:
    """Copy the image or index ``src`` to ``dst``, keeping its digest (``crane.copy`` with
    gcrane's keychain, repeated on temporary errors as ``retry`` says)."""
    from containerregistry import crane

    passed, policy = split(options)
    retrying(lambda: crane.copy(src, dst, **passed), f"copying {src} to {dst}", policy)


def renamed(repo: name.Repository, src: name.Repository, dst: name.Repository) -> name.Repository:
    """``repo`` (``src`` or below it) moved under ``dst``: ``gcr.io/a/x/y`` -> ``gcr.io/b/x/y``."""
    suffix = repo.name[len(src.name) :]
    return name.new_repository(dst.name + suffix, insecure=dst.registry.insecure)


def diff(
    src_tags: Tags, dst_tags: Tags | None, src: name.Repository, dst: name.Repository
) -> list[ImageCopy]:
    """The images of ``src_tags`` that ``dst_tags`` lacks, or holds without all their tags.

    Sorted by digest. A registry that does not list manifests (not GCR) is compared
    by tag: each missing tag is one image, named by its tag.
    """
    if not src_tags.extended:
        have = set(dst_tags.tags) if dst_tags is not None else set()
        return [
            ImageCopy(src, dst, tag, (tag,)) for tag in sorted(src_tags.tags) if tag not in have
        ]
    theirs = dst_tags.manifests if dst_tags is not None else {}
    missing = []
    for digest, info in sorted(src_tags.manifests.items()):
        present = theirs.get(digest)
        wanted = tuple(sorted(set(info.tags) - set(present.tags if present else ())))
        if present is None or wanted:
            missing.append(ImageCopy(src, dst, digest, wanted, present is not None))
    return missing


def _copy_image(task: ImageCopy, passed: dict[str, Any], policy: Retry | None) -> None:
    from containerregistry import crane, remote

    remote_options = {k: v for k, v in passed.items() if k != "platform"}
    by_tag = not task.digest.startswith("sha256:")
    src_ref = f"{task.src.name}:{task.digest}" if by_tag else f"{task.src.name}@{task.digest}"
    tags = list(task.tags)
    if not task.present:
        first = f"{task.dst.name}:{tags.pop(0)}" if tags else f"{task.dst.name}@{task.digest}"
        retrying(lambda: crane.copy(src_ref, first, **passed), f"copying {src_ref}", policy)
    if not tags:
        return
    # The remaining tags need only the manifest: one PUT each, no blobs.
    source = task.dst if task.present else task.src
    held = f"{source.name}@{task.digest}"
    descriptor = retrying(
        lambda: remote.get(
            name.parse_reference(held, insecure=source.registry.insecure), **remote_options
        ),
        f"reading {held}",
        policy,
    )
    for tag in tags:
        target = name.new_tag(f"{task.dst.name}:{tag}", insecure=task.dst.registry.insecure)
        logs.progress.info("tagging %s as %s", held, target)
        retrying(
            functools.partial(remote.tag, target, descriptor, **remote_options),
            f"tagging {target}",
            policy,
        )


def copy_repository(src: str, dst: str, **options: Unpack[GcraneArgs]) -> CopyReport:
    """Copy repository ``src`` and every repository below it to the same paths under ``dst``.

    The tree is walked with GCR's extended listing; each destination repository is
    listed (missing means empty) and only what it lacks is copied: untagged images by
    digest, a tagged image to its first missing tag, and the other tags by a manifest
    PUT each. Listings, copies and tags are repeated on temporary errors as ``retry``
    says (default GCR's backoff). ``jobs`` (default 4) repositories are listed and
    images copied at once. A failure does not stop the others: it is recorded and
    :class:`RepositoryCopyError` is raised at the end, carrying the report. Returns
    the :class:`CopyReport`.
    """
    import concurrent.futures

    from containerregistry import google
    from containerregistry.transport import RegistryError

    passed, policy = split(options)
    insecure = bool(passed.get("insecure"))
    src_repo = name.new_repository(src, insecure=insecure)
    dst_repo = name.new_repository(dst, insecure=insecure)
    listing = listing_options(passed)
    jobs = passed["jobs"]
    report = CopyReport()
    lock = threading.Lock()
    futures: list[concurrent.futures.Future[None]] = []

    def failed(what: str, error: ContainerRegistryError) -> None:
        logs.warn.warning("%s: %s", what, error)
        with lock:
            report.failed.append((what, error))

    def copy_one(task: ImageCopy) -> None:
        try:
            _copy_image(task, passed, policy)
        except ContainerRegistryError as error:
            failed(f"copying {task} to {task.dst.name}", error)
            return
        with lock:
            report.copied.append(task)

    def destination(target: name.Repository) -> Tags | None:
        try:
            found: Tags = google.list(target, **listing)
        except RegistryError as error:
            if error.status == 404:
                return None  # a repository that does not exist yet is empty
            raise
        return found

    def plan(repo: name.Repository, tags: Tags) -> None:
        target = renamed(repo, src_repo, dst_repo)
        try:
            have = retrying(lambda: destination(target), f"listing {target}", policy)
        except ContainerRegistryError as error:
            failed(f"listing {target}", error)
            return
        for task in diff(tags, have, repo, target):
            with lock:
                futures.append(copies.submit(copy_one, task))

    def visit(
        repo: name.Repository, tags: Tags | None, error: ContainerRegistryError | None
    ) -> None:
        if error is not None or tags is None:
            failed(f"listing {repo.name}", error or RepositoryCopyError("no listing", report))
            return
        with lock:
            futures.append(planners.submit(plan, repo, tags))

    with (
        concurrent.futures.ThreadPoolExecutor(jobs, thread_name_prefix="gcrane-plan") as planners,
        concurrent.futures.ThreadPoolExecutor(jobs, thread_name_prefix="gcrane-copy") as copies,
    ):
        google.walk(src_repo, visit, **listing)
        # Planners add copy futures while running: drain until nothing is pending.
        done = 0
        while True:
            with lock:
                pending = futures[done:]
            if not pending:
                break
            for future in pending:
                future.result()
            done += len(pending)
    if report.failed:
        raise RepositoryCopyError(
            f"copying {src_repo.name} to {dst_repo.name}: {len(report.failed)} failed "
            f"({'; '.join(f'{what}: {err}' for what, err in report.failed[:3])}); "
            "run the copy again to retry what is missing",
            report,
        )
    return report
