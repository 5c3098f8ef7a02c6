"""``walk``: list a repository and, concurrently, every repository below it."""

from __future__ import annotations

import collections
import concurrent.futures
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from containerregistry import name
from containerregistry.errors import ContainerRegistryError
from containerregistry.google._errors import ListingError
from containerregistry.google._list import ListArgs, Sessions, Tags, list_with, make_options

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: Called once per repository with its listing, or with the error listing it raised.
WalkFunction = Callable[[name.Repository, "Tags | None", "ContainerRegistryError | None"], None]


def walk(root: name.Repository | str, fn: WalkFunction, **options: Unpack[ListArgs]) -> None:
    """List ``root`` and every repository below it, calling ``fn(repo, tags, error)``.

    ``fn`` gets ``(repo, tags, None)`` for a listing and ``(repo, None, error)`` when
    listing ``repo`` failed (its children are then unknown and skipped). Children
    are listed ``jobs`` at a time (default 4) on a thread pool; ``fn`` is called from
    those threads but never twice at once, a repository always before its children,
    and otherwise in no fixed order. If ``fn`` raises, no further repository is
    listed and the exception propagates from ``walk``.

    Options are those of :func:`containerregistry.google.list`.
    """
    opts = make_options(options)
    if isinstance(root, str):
        root = name.new_repository(root, insecure=opts.insecure)
    sessions = Sessions(opts)
    call_lock = threading.Lock()
    stop = threading.Event()
    futures: collections.deque[concurrent.futures.Future[None]] = collections.deque()

    def report(
        repo: name.Repository, tags: Tags | None, error: ContainerRegistryError | None
    ) -> None:
        with call_lock:
            if stop.is_set():
                return
            try:
                fn(repo, tags, error)
            except BaseException:
                stop.set()
                raise

    def child_of(parent: name.Repository, child: str) -> name.Repository:
        try:
            return name.new_repository(
                f"{parent.name}/{child}", strict=True, insecure=parent.registry.insecure
            )
        except ContainerRegistryError as exc:
            raise ListingError(
                f"{parent.name} lists a child {child!r} that is not a repository name: {exc}"
            ) from None

    def visit(repo: name.Repository) -> None:
        if stop.is_set():
            return
        try:
            tags = list_with(opts, repo, sessions)
        except ContainerRegistryError as exc:
            report(repo, None, exc)
            return
        report(repo, tags, None)
        for child in tags.children:
            if stop.is_set():
                return
            futures.append(pool.submit(visit, child_of(repo, child)))

    with concurrent.futures.ThreadPoolExecutor(
        max_workers=opts.jobs, thread_name_prefix="google-walk"
    ) as pool:
        futures.append(pool.submit(visit, root))
        try:
            # A parent's children are queued before its own future completes, so the
            # queue is empty only when the whole tree has been visited.
            while futures:
                futures.popleft().result()
        except BaseException:
            stop.set()
            for future in futures:
                future.cancel()
            raise
        finally:
            sessions.close()
