"""``crane push PATH IMAGE``: push a tarball or an OCI layout to a registry."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex


def read_local(path: str, *, whole_index: bool) -> Image | ImageIndex:
    """Read PATH: a directory is an OCI layout, anything else a docker tarball."""
    from containerregistry import crane, types
    from containerregistry.crane._inputs import is_gcs, layout_index

    if not is_gcs(path) and not os.path.isdir(path):
        try:
            return crane.load(path)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise crane.InputError(f"loading {path} as tarball: {exc}") from exc
    try:
        index = layout_index(path)
    except Exception as exc:
        raise crane.InputError(f"loading {path} as OCI layout: {exc}") from exc
    if whole_index:
        return index
    manifests = list(index.index_manifest().manifests or ())
    if len(manifests) != 1:
        raise crane.InputError(f"layout contains {len(manifests)} entries, consider --index")
    entry = manifests[0]
    if types.is_image(entry.media_type):
        return index.image(entry.digest)
    if types.is_index(entry.media_type):
        return index.image_index(entry.digest)
    raise crane.InputError(
        f'layout contains non-image (mediaType: "{entry.media_type}"), consider --index'
    )


@reported
def push(
    ctx: typer.Context,
    path: Annotated[str, typer.Argument(metavar="PATH", show_default=False)],
    image: Annotated[str, typer.Argument(metavar="IMAGE", show_default=False)],
    index: Annotated[
        bool,
        typer.Option(
            "--index",
            help="push a collection of images as a single index, currently required if "
            "PATH contains multiple images",
        ),
    ] = False,
    image_refs: Annotated[
        str | None,
        typer.Option(
            "--image-refs",
            help="path to file where a list of the published image references will be written",
        ),
    ] = None,
) -> None:
    """Push local image contents to a remote registry.

    If the PATH is a directory (or gs://bucket/dir), it will be read as an OCI image
    layout. Otherwise, PATH is assumed to be a docker-style tarball.
    """
    from containerregistry import crane
    from containerregistry.crane._inputs import is_gcs

    options = crane_options(ctx)
    if not is_gcs(path) and not os.path.exists(path):
        raise FileNotFoundError(2, "No such file or directory", path)
    found = read_local(path, whole_index=index)
    digest_ref = crane.push(found, image, **options.args())
    if image_refs is not None:
        try:
            fd = os.open(image_refs, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(str(digest_ref))
        except OSError as exc:
            raise crane.CraneError(
                f"failed to write image refs to {image_refs}: {exc.strerror or exc}"
            ) from exc
    print(digest_ref)


def register(app: typer.Typer) -> None:
    """Add ``push`` to ``app``."""
    app.command("push")(push)
