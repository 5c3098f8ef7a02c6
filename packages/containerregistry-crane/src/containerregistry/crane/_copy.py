"""``copy`` and ``copy_repository``: manifests and blobs from one place to another."""

from __future__ import annotations

import concurrent.futures
import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from containerregistry import logs, name, types
from containerregistry.crane._errors import CraneOptionsError, RefusingToClobberError
from containerregistry.crane._options import OptionArgs, Options
from containerregistry.crane._platforms import parse_platforms, select_platforms
from containerregistry.crane._recompress import (
    map_index,
    oci_if_mixed,
    parse_algorithm,
    recompress,
)
from containerregistry.crane._referrers import copy_referrers, subject_digests

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry.compression import Compression
    from containerregistry.crane._transports import Location
    from containerregistry.v1 import Image, ImageIndex, Platform

#: The text ggcr's ErrRefusingToClobberExistingTag carries; scripts match on it.
REFUSING_TO_CLOBBER = "refusing to clobber existing tag"


def _absent_status(exc: BaseException) -> bool:
    # A HEAD on a missing tag is a 404; some registries answer 403 for repositories
    # the caller may not read yet, which also means "nothing to clobber".
    return getattr(exc, "status", None) in (403, 404)


def check_no_clobber(dst: name.Reference, opts: Options) -> None:
    """Raise :class:`RefusingToClobberError` when the tag ``dst`` already exists."""
    from containerregistry import remote

    if not isinstance(dst, name.Tag):
        return
    try:
        found = remote.head(dst, **opts.remote(platform=False))
    except Exception as exc:
        if _absent_status(exc):
            return
        raise
    raise RefusingToClobberError(f"{REFUSING_TO_CLOBBER} {dst}@{found.digest}")


def copy(
    src: str,
    dst: str,
    *,
    platforms: Sequence[Platform | str] | str | None = None,
    referrers: bool = False,
    compression: Compression | str | None = None,
    **options: Unpack[OptionArgs],
) -> None:
    """Copy the image or index ``src`` names to ``dst``, keeping its digest (``crane.Copy``).

    ``src`` and ``dst`` are registry references or skopeo's transports
    (``docker-daemon:NAME[:TAG]``, ``docker-archive:PATH[:REF]``, ``oci:DIR[:REF]``,
    ``oci-archive:PATH[:REF]``, ``docker://REF``; see
    :mod:`containerregistry.crane._transports`). The daemon and a docker archive
    hold one image, so an index becomes its platform's child (default linux/amd64).

    With a platform (default: every platform) only the matching child image is
    copied. ``no_clobber`` (default False) refuses to overwrite an existing tag.
    Progress lines go to the ``containerregistry.progress`` logger.

    Beyond crane, each off by default:

    - ``platforms``: two or more platforms (``["linux/amd64", "linux/arm64"]`` or
      ``"linux/amd64,linux/arm64"``) copy an index of just those children (their
      digests kept, the index's new); one platform acts as the ``platform`` option.
    - ``referrers``: also copy the manifests that refer to the copied image, its
      children and, recursively, to those (signatures, SBOMs, attestations), read
      through the referrers API or the ``sha256-<hex>`` tag fallback.
    - ``compression``: ``"zstd"`` or ``"gzip"`` re-compresses every tar layer (see
      :func:`containerregistry.crane._recompress.recompress`); the digests change.
    """
    from containerregistry import remote
    from containerregistry.crane._transports import parse

    wanted = parse_platforms(platforms)
    if len(wanted) == 1:
        options = {**options, "platform": wanted[0]}
        wanted = []
    opts = Options.make(options)
    algorithm = parse_algorithm(compression) if compression is not None else None
    source, sink = parse(src), parse(dst, sink=True)
    if not (source.is_registry and sink.is_registry):
        if referrers:
            raise CraneOptionsError(
                "--referrers copies between registries only; "
                f"{source if not source.is_registry else sink} is not one"
            )
        _copy_between(source, sink, wanted, algorithm, opts)
        return
    src_ref = opts.reference(src)
    dst_ref = opts.reference(dst)
    if opts.no_clobber:
        check_no_clobber(dst_ref, opts)
    logs.progress.info("Copying from %s to %s", src_ref, dst_ref)
    write = opts.remote(platform=False)
    if wanted:
        descriptor = remote.get(src_ref, **write)
    else:
        descriptor = remote.get(src_ref, **opts.remote())
    item: Image | ImageIndex
    if wanted and types.is_index(descriptor.media_type):
        item = select_platforms(descriptor.image_index(), wanted)
    elif opts.platform is not None:
        item = descriptor.image()
    elif types.is_index(descriptor.media_type):
        item = descriptor.image_index()
    elif types.is_schema1(descriptor.media_type):
        item = descriptor.schema1()
    else:
        item = descriptor.image()
    subjects = subject_digests(item) if referrers else []
    if algorithm is not None:
        item = _recompressed(item, algorithm, opts.jobs)
    if types.is_index(item.media_type()):
        remote.write_index(dst_ref, item, **write)  # type: ignore[arg-type]
    else:
        remote.write(dst_ref, item, **write)  # type: ignore[arg-type]
    if referrers:
        copy_referrers(src_ref.context, dst_ref.context, subjects, opts)


def _copy_between(
    source: Location,
    sink: Location,
    wanted: list[Platform],
    algorithm: Compression | None,
    opts: Options,
) -> None:
    """Copy when one side is not a registry: read whole, then write (see _transports)."""
    from containerregistry.crane._transports import read, write

    if opts.no_clobber and sink.is_registry:
        check_no_clobber(opts.reference(sink.target), opts)
    logs.progress.info("Copying from %s to %s", source, sink)
    if wanted:
        item = read(source, dataclasses.replace(opts, platform=None))
        if types.is_index(item.media_type()):
            item = select_platforms(item, wanted)  # type: ignore[arg-type]
    else:
        item = read(source, opts)
    if algorithm is not None:
        item = _recompressed(item, algorithm, opts.jobs)
    write(sink, item, opts)


def _recompressed(
    item: Image | ImageIndex, algorithm: Compression, jobs: int
) -> Image | ImageIndex:
    """``item`` with its layers converted; a Docker list holding OCI children becomes OCI."""
    if not types.is_index(item.media_type()):
        return recompress(item, algorithm, jobs=jobs)  # type: ignore[arg-type]
    return oci_if_mixed(
        map_index(item, lambda image: recompress(image, algorithm, jobs=jobs))  # type: ignore[arg-type]
    )


def copy_repository(src: str, dst: str, **options: Unpack[OptionArgs]) -> None:
    """Copy every tag of repository ``src`` to the same tag in ``dst`` (``crane.CopyRepository``).

    Tags are copied ``jobs`` (default 4) at a time. With ``no_clobber`` tags already
    in ``dst`` are skipped instead of failing.
    """
    from containerregistry import remote

    opts = Options.make(options)
    src_repo = opts.repository(src)
    dst_repo = opts.repository(dst)
    tags = list(remote.list_tags(src_repo, **opts.remote(platform=False)))
    if opts.no_clobber:
        existing = set(_tags_or_empty(dst_repo, opts))
        tags = [t for t in tags if t not in existing]
    per_tag = opts.args()
    per_tag.pop("no_clobber", None)

    def copy_tag(tag: str) -> None:
        copy(f"{src_repo.name}:{tag}", f"{dst_repo.name}:{tag}", **per_tag)

    with concurrent.futures.ThreadPoolExecutor(max_workers=opts.jobs) as pool:
        for future in [pool.submit(copy_tag, t) for t in tags]:
            future.result()


def _tags_or_empty(repository: name.Repository, opts: Options) -> list[str]:
    from containerregistry import remote

    try:
        return list(remote.list_tags(repository, **opts.remote(platform=False)))
    except Exception as exc:
        if _absent_status(exc):
            return []
        raise
