"""``crane rebase``: move an image from its old base image onto a new one."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import (
    by_digest_if_digest,
    digest_ref,
    elsewhere,
    parse_ref,
    platform_given,
    pull,
    push,
    write_elsewhere,
)
from containerregistry.crane.cli._options import remote_options

OldBase = Annotated[str, typer.Option("--old_base", help="Old base image to remove.")]
NewBase = Annotated[str, typer.Option("--new_base", help="New base image to insert.")]
Tag = Annotated[str, typer.Option("-t", "--tag", help="Tag to apply to rebased image.")]
Original = Annotated[
    str,
    typer.Option(
        "--original",
        help="Original image to rebase (DEPRECATED: use positional arg instead).",
        hidden=True,
    ),
]
Rebased = Annotated[
    str,
    typer.Option(
        "--rebased", help="Tag to apply to rebased image (DEPRECATED: use --tag).", hidden=True
    ),
]


@reported
def rebase_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image to rebase.", show_default=False)] = "",
    old_base: OldBase = "",
    new_base: NewBase = "",
    tag: Tag = "",
    original: Original = "",
    rebased: Rebased = "",
) -> None:
    """Rebase an image onto a new base image."""
    _rebase(ctx, image, old_base=old_base, new_base=new_base, tag=tag or rebased, original=original)


def _rebase(
    ctx: typer.Context, image: str, *, old_base: str, new_base: str, tag: str, original: str
) -> None:
    from containerregistry import empty, remote, types
    from containerregistry.crane._inputs import is_local, load_input
    from containerregistry.crane._rebase import (
        BASE_DIGEST_ANNOTATION,
        BASE_NAME_ANNOTATION,
        rebase,
    )
    from containerregistry.crane.cli._platforms import options_for
    from containerregistry.errors import ContainerRegistryError
    from containerregistry.v1 import Image

    if original and image:
        raise ContainerRegistryError("cannot use --original with positional argument")
    source = original or image
    if not source:
        raise ContainerRegistryError("give the image to rebase: crane rebase IMAGE")
    target = tag or source
    target_ref = None if elsewhere(target) else parse_ref(ctx, target)
    options = remote_options(ctx)
    local = is_local(source)
    if local and not tag:
        raise ContainerRegistryError(
            f"{source} is a local image; give -t/--tag to say where to push the rebased one"
        )
    if local:
        source_type = load_input(source, options_for(ctx, [])).media_type()
    else:
        source_type = remote.head(parse_ref(ctx, source), **options).media_type
    if types.is_index(source_type) and not platform_given(ctx):
        raise ContainerRegistryError(
            f"rebasing an index is not yet supported: {source} is an index; "
            "pass --platform to rebase one of its images"
        )
    original_image = pull(ctx, source)
    annotations = original_image.manifest().annotations or {}
    if not new_base:
        new_base = annotations.get(BASE_NAME_ANNOTATION, "")
    if not new_base:
        raise ContainerRegistryError(
            "could not determine new base image from annotations: "
            f"pass --new_base or set {BASE_NAME_ANNOTATION}"
        )
    new_base_local = is_local(new_base)
    if not old_base:
        old_digest = annotations.get(BASE_DIGEST_ANNOTATION, "")
        if old_digest and not new_base_local:
            old_base = f"{parse_ref(ctx, new_base).context.name}@{old_digest}"
    if not old_base:
        raise ContainerRegistryError(
            "could not determine old base image by digest from annotations: "
            f"pass --old_base or set {BASE_DIGEST_ANNOTATION}"
        )
    new_base_image = pull(ctx, new_base)
    old_base_image: Image = empty.image if old_base == "scratch" else pull(ctx, old_base)
    # The annotation records what the name points at (an index, for a multi-platform
    # base), not the child that was picked.
    new_base_digest = (
        None if new_base_local else remote.head(parse_ref(ctx, new_base), **options).digest
    )
    result = rebase(
        original_image,
        old_base_image,
        new_base_image,
        new_base_name=new_base,
        new_base_digest=new_base_digest,
    )
    digest = result.digest()
    if digest == original_image.digest():
        typer.echo("rebasing was no-op", err=True)
    if target_ref is None:
        write_elsewhere(ctx, target, result)
        return
    push_ref = by_digest_if_digest(target_ref, digest)
    typer.echo(f"pushing rebased image as {push_ref}", err=True)
    push(ctx, push_ref, result)
    sys.stdout.write(digest_ref(target_ref, digest) + "\n")


def register(app: typer.Typer) -> None:
    """Add ``rebase`` to ``app``."""
    app.command("rebase", help=rebase_command.__doc__)(rebase_command)
