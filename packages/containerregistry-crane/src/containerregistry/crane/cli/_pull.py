"""``crane pull IMAGE... PATH``: save images to a tarball, a legacy tarball or an OCI layout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import fail, reported
from containerregistry.crane.cli._platforms import Platforms, options_for, requested_platforms

if TYPE_CHECKING:
    from containerregistry.crane import Options
    from containerregistry.v1 import Image, ImageIndex

_FORMATS = ("tarball", "legacy", "oci")


def _read(src: str, options: Options, *, whole_index: bool) -> Image | ImageIndex:
    from containerregistry.crane._inputs import load_image, load_input

    return load_input(src, options) if whole_index else load_image(src, options)


@reported
def pull(
    ctx: typer.Context,
    args: Annotated[list[str], typer.Argument(metavar="IMAGE... TARBALL", show_default=False)],
    cache_path: Annotated[
        str | None, typer.Option("-c", "--cache_path", help="Path to cache image layers")
    ] = None,
    format: Annotated[
        str,
        typer.Option(
            "--format", help='Format in which to save images ("tarball", "legacy", or "oci")'
        ),
    ] = "tarball",
    annotate_ref: Annotated[
        bool,
        typer.Option(
            "--annotate-ref",
            help="Preserves image reference used to pull as an annotation when used "
            "with --format=oci",
        ),
    ] = False,
    platform: Platforms = None,
) -> None:
    """Pull remote images by reference and store their contents locally."""
    if len(args) < 2:
        raise fail(f"requires at least 2 arg(s), only received {len(args)}")
    if format not in _FORMATS:
        raise fail(f'unexpected --format: "{format}" (valid values are: tarball, legacy, and oci)')
    *sources, path = args
    from containerregistry.crane._inputs import is_gcs

    if is_gcs(path) and format != "oci":
        what = "tarball" if format == "tarball" else "legacy tarball"
        raise fail(
            f"{path}: only --format oci writes to Google Cloud Storage; "
            f"give a local path for the {what}"
        )
    platforms = requested_platforms(ctx, platform)
    if len(platforms) > 1 and format != "oci":
        what = "tarball" if format == "tarball" else "legacy tarball"
        raise fail(
            f"several platforms ({', '.join(map(str, platforms))}) need an OCI layout, "
            f"but a {what} holds one image per reference: add --format oci, "
            "or pass a single --platform"
        )
    options = options_for(ctx, platforms)
    from containerregistry.crane import _save
    from containerregistry.crane._inputs import is_local

    def cached(image: Image) -> Image:
        if cache_path is None:
            return image
        from containerregistry.crane._cache import cached_image

        return cached_image(image, cache_path)

    if format == "oci":
        from containerregistry import types
        from containerregistry.crane._platforms import select_platforms

        entries = []
        for src in sources:
            found = _read(src, options, whole_index=options.platform is None)
            if len(platforms) > 1 and types.is_index(found.media_type()):
                found = select_platforms(found, platforms)  # type: ignore[arg-type]
            if cache_path is not None and hasattr(found, "layers"):
                found = cached(found)  # type: ignore[arg-type]
            ref_name = None
            if annotate_ref and not is_local(src):
                ref_name = options.reference(src).name
            entries.append((found, ref_name))
        try:
            _save.multi_save_oci(entries, path)
        except Exception as exc:
            raise _wrapped(exc, f"saving oci image layout {path}") from exc
        return
    from containerregistry.crane._destination import check_destination

    check_destination(path)  # before any image is read
    images = {}
    for src in sources:
        if is_local(src):
            raise fail(f"{src} is a local path; --format {format} needs image references")
        images[src] = cached(_read(src, options, whole_index=False))  # type: ignore[arg-type]
    save = _save.multi_save if format == "tarball" else _save.multi_save_legacy
    what = "tarball" if format == "tarball" else "legacy tarball"
    try:
        save(images, path, insecure=options.insecure)
    except Exception as exc:
        raise _wrapped(exc, f"saving {what} {path}") from exc


def _wrapped(exc: Exception, what: str) -> Exception:
    from containerregistry.crane import CraneError

    return CraneError(f"{what}: {exc}")


def register(app: typer.Typer) -> None:
    """Add ``pull`` to ``app``."""
    app.command("pull")(pull)
