"""``crane flatten``: squash an image, or each image of an index, into one layer."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._mutate import (
    digest_ref,
    failures,
    parse_ref,
    remote_options,
)

Tag = Annotated[
    str,
    typer.Option(
        "-t",
        "--tag",
        help="New tag to apply to flattened image. If not provided, push by digest to the "
        "original image repository.",
    ),
]


def flatten_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image or index to flatten.")],
    tag: Tag = "",
) -> None:
    """Flatten an image's layers into a single layer."""
    with failures():
        _flatten(ctx, image, tag)


def _flatten(ctx: typer.Context, source: str, tag: str) -> None:
    from containerregistry import name, remote, types
    from containerregistry.crane._flatten import flatten, flatten_index
    from containerregistry.errors import ContainerRegistryError

    program = ctx.find_root().info_name or "crane"
    ref = parse_ref(ctx, source)
    new_ref = parse_ref(ctx, tag or source)
    options = remote_options(ctx)
    descriptor = remote.get(ref, **options)
    if types.is_index(descriptor.media_type):
        flat_index = flatten_index(descriptor.image_index(), program=program)
        digest = flat_index.digest()
        if isinstance(ref, name.Digest):
            new_ref = new_ref.context.digest(str(digest))
        remote.write_index(new_ref, flat_index, **options)
    elif types.is_image(descriptor.media_type):
        flat_image = flatten(descriptor.image(), program=program)
        digest = flat_image.digest()
        if isinstance(ref, name.Digest):
            new_ref = new_ref.context.digest(str(digest))
        remote.write(new_ref, flat_image, **options)
    else:
        raise ContainerRegistryError(
            f"can't flatten {source}: its media type {descriptor.media_type!r} is neither "
            "an image nor an index"
        )
    sys.stdout.write(digest_ref(new_ref, digest) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``flatten`` to ``app``."""
    app.command("flatten", help=flatten_command.__doc__)(flatten_command)
