"""``crane flatten``: squash an image, or each image of an index, into one layer."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import digest_ref, elsewhere, parse_ref, write_elsewhere
from containerregistry.crane.cli._platforms import Platforms, options_for, requested_platforms

if TYPE_CHECKING:
    from containerregistry.v1 import ImageIndex, Platform

Tag = Annotated[
    str,
    typer.Option(
        "-t",
        "--tag",
        help="New tag to apply to flattened image. If not provided, push by digest to the "
        "original image repository.",
    ),
]


@reported
def flatten_command(
    ctx: typer.Context,
    image: Annotated[
        str, typer.Argument(help="The image or index to flatten (a reference, layout or tarball).")
    ],
    tag: Tag = "",
    platform: Platforms = None,
) -> None:
    """Flatten an image's layers into a single layer."""
    _flatten(ctx, image, tag, requested_platforms(ctx, platform))


def _flatten(ctx: typer.Context, source: str, tag: str, platforms: list[Platform]) -> None:
    from containerregistry import name, remote, types
    from containerregistry.crane._flatten import flatten, flatten_index
    from containerregistry.crane._inputs import is_local, load_input
    from containerregistry.crane._platforms import select_platforms
    from containerregistry.errors import ContainerRegistryError

    program = ctx.find_root().info_name or "crane"
    local = is_local(source)
    if local and not tag:
        raise ContainerRegistryError(
            f"{source} is a local image; give -t/--tag to say where to push the flattened one"
        )
    to_elsewhere = elsewhere(tag or source)
    new_ref = None if to_elsewhere else parse_ref(ctx, tag or source)
    options = options_for(ctx, platforms)
    write = options.remote(platform=False)
    found: object
    by_digest = False
    if local:
        found = load_input(source, options_for(ctx, []))
        media_type = found.media_type()
    else:
        ref = parse_ref(ctx, source)
        descriptor = remote.get(ref, **write)
        media_type = descriptor.media_type
        if types.is_index(media_type):
            found = descriptor.image_index()
        elif types.is_image(media_type):
            found = descriptor.image()
        else:
            found = None
        # A digest cannot name the flattened image: push by its new digest instead.
        by_digest = isinstance(ref, name.Digest)
    if types.is_index(media_type):
        index: ImageIndex = found  # type: ignore[assignment]
        if len(platforms) > 1:
            index = select_platforms(index, platforms)
        flat_index = flatten_index(index, program=program)
        digest = flat_index.digest()
        if new_ref is None:
            write_elsewhere(ctx, tag or source, flat_index)
            return
        if by_digest:
            new_ref = new_ref.context.digest(str(digest))
        remote.write_index(new_ref, flat_index, **write)
    elif types.is_image(media_type):
        flat_image = flatten(found, program=program)  # type: ignore[arg-type]
        digest = flat_image.digest()
        if new_ref is None:
            write_elsewhere(ctx, tag or source, flat_image)
            return
        if by_digest:
            new_ref = new_ref.context.digest(str(digest))
        remote.write(new_ref, flat_image, **write)
    else:
        raise ContainerRegistryError(
            f"can't flatten {source}: its media type {media_type!r} is neither "
            "an image nor an index"
        )
    sys.stdout.write(digest_ref(new_ref, digest) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``flatten`` to ``app``."""
    app.command("flatten", help=flatten_command.__doc__)(flatten_command)
