"""``crane append``: add tarballs as layers on top of a base image and push (or save) it."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._mutate import (
    digest_ref,
    failures,
    parse_ref,
    pull,
    push,
    save,
    split_list,
)

Base = Annotated[str, typer.Option("-b", "--base", help="Name of base image to append to.")]
NewTag = Annotated[
    str,
    typer.Option("-t", "--new_tag", help="Tag to apply to resulting image.", show_default=False),
]
NewLayer = Annotated[
    list[str],
    typer.Option(
        "-f", "--new_layer", help="Path to tarball to append to image (- for stdin; repeatable)."
    ),
]
Output = Annotated[
    str, typer.Option("-o", "--output", help="Path to new tarball of resulting image.")
]
Annotate = Annotated[
    bool,
    typer.Option(
        "--set-base-image-annotations",
        help="If true, annotate the resulting image as being based on the base image.",
    ),
]
OciEmptyBase = Annotated[
    bool,
    typer.Option(
        "--oci-empty-base",
        help="If true, empty base image will have OCI media types instead of Docker.",
    ),
]

#: The OCI annotations that record what an image was built on.
_BASE_NAME = "org.opencontainers.image.base.name"
_BASE_DIGEST = "org.opencontainers.image.base.digest"


def append_command(
    ctx: typer.Context,
    new_tag: NewTag,
    new_layer: NewLayer,
    base: Base = "",
    output: Output = "",
    set_base_image_annotations: Annotate = False,
    oci_empty_base: OciEmptyBase = False,
) -> None:
    """Append contents of a tarball to a remote image."""
    with failures():
        _append(
            ctx,
            base=base,
            new_tag=new_tag,
            layers=split_list(new_layer),
            output=output,
            annotate=set_base_image_annotations,
            oci_empty_base=oci_empty_base,
        )


def _append(
    ctx: typer.Context,
    *,
    base: str,
    new_tag: str,
    layers: list[str],
    output: str,
    annotate: bool,
    oci_empty_base: bool,
) -> None:
    from containerregistry import empty, mutate, name, types
    from containerregistry.crane._append import append
    from containerregistry.errors import ContainerRegistryError
    from containerregistry.v1 import Image

    if base and oci_empty_base:
        raise ContainerRegistryError(
            "--oci-empty-base cannot be combined with --base: the empty base is only used "
            "when no base is given"
        )
    base_image: Image
    if base:
        base_image = pull(ctx, base)
    else:
        typer.echo("base unspecified, using empty image", err=True)
        base_image = empty.image
        if oci_empty_base:
            base_image = mutate.media_type(base_image, types.OCI_MANIFEST_SCHEMA1)
            base_image = mutate.config_media_type(base_image, types.OCI_CONFIG_JSON)
    image = append(base_image, *layers)
    if base and annotate:
        base_ref = parse_ref(ctx, base)
        base_name = str(base_ref) if isinstance(base_ref, name.Tag) else ""
        image = mutate.annotations(
            image, {_BASE_NAME: base_name, _BASE_DIGEST: str(base_image.digest())}
        )
    if output:
        save(image, new_tag, output)
        return
    ref = parse_ref(ctx, new_tag)
    push(ctx, ref, image)
    sys.stdout.write(digest_ref(ref, image.digest()) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``append`` to ``app``."""
    app.command("append", help=append_command.__doc__)(append_command)
