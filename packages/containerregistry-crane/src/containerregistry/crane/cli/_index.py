"""``crane index append``, ``index filter`` and ``index list``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import digest_ref, parse_ref, split_list
from containerregistry.crane.cli._options import remote_options

if TYPE_CHECKING:
    from containerregistry.crane._options import Options
    from containerregistry.name import Reference
    from containerregistry.v1 import Image, ImageIndex

Tag = Annotated[str, typer.Option("-t", "--tag", help="Tag to apply to resulting image.")]
Manifest = Annotated[
    list[str] | None,
    typer.Option("-m", "--manifest", help="References to manifests to append to the base index."),
]
DockerEmptyBase = Annotated[
    bool,
    typer.Option(
        "--docker-empty-base",
        help="If true, empty base index will have Docker media types instead of OCI.",
    ),
]
Flatten = Annotated[
    str,
    typer.Option(
        "--flatten",
        help="If true, appending an index will append each of its children rather than "
        "the index itself (--flatten=false to append the index whole).",
    ),
]
Platforms = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        help="Specifies the platform(s) to keep from base in the form "
        "os/arch[/variant][:osversion][,<platform>] (e.g. linux/amd64).",
    ),
]

_TRUE = {"1", "t", "true", "y", "yes"}
_FALSE = {"0", "f", "false", "n", "no"}


def _parse_bool(text: str, flag: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise typer.BadParameter(f"{text!r} is not a boolean; use true or false", param_hint=flag)


def _get_index(ctx: typer.Context, text: str) -> tuple[Reference | None, ImageIndex]:
    """The index ``text`` names (a reference, or an OCI layout; then no reference).

    A local layout directory gives the layout's own index, as crane's
    ``layout.FromPath(...).ImageIndex()``: ``index.json``, even when it holds a
    single entry that is itself an index. (A ``gs://`` layout, which crane does not
    read, still stands for its only entry.)
    """
    import os

    from containerregistry import remote, types
    from containerregistry.crane._inputs import is_local, layout_index, load_input
    from containerregistry.errors import ContainerRegistryError

    if os.path.isdir(text):
        return None, layout_index(text)
    if is_local(text):
        found = load_input(text, _every_platform(ctx))
        if not types.is_index(found.media_type()):
            raise ContainerRegistryError(
                f"expected {text} to be an index, got {found.media_type()!r}"
            )
        return None, found  # type: ignore[return-value]
    ref = parse_ref(ctx, text)
    descriptor = remote.get(ref, **remote_options(ctx, platform=False))
    if not types.is_index(descriptor.media_type):
        raise ContainerRegistryError(
            f"expected {text} to be an index, got {descriptor.media_type!r}"
        )
    return ref, descriptor.image_index()


def _every_platform(ctx: typer.Context) -> Options:
    """Crane options from the global flags with every platform: indexes stay whole."""
    from containerregistry.crane.cli._platforms import options_for

    return options_for(ctx, [])


def _write(ctx: typer.Context, ref: Reference, index: ImageIndex, tag: str) -> None:
    from containerregistry import name, remote

    digest = index.digest()
    if tag:
        ref = parse_ref(ctx, tag)
    elif isinstance(ref, name.Digest):
        ref = ref.context.digest(str(digest))
    remote.write_index(ref, index, **remote_options(ctx, platform=False))
    sys.stdout.write(digest_ref(ref, digest) + "\n")


@reported
def append_command(
    ctx: typer.Context,
    base: Annotated[str, typer.Argument(help="The index to append to (optional).")] = "",
    tag: Tag = "",
    manifest: Manifest = None,
    docker_empty_base: DockerEmptyBase = False,
    flatten: Flatten = "true",
) -> None:
    """Append manifests to a remote index.

    This sub-command pushes an index based on an (optional) base index, with appended
    manifests. The platform for appended manifests is inferred from the config file or
    omitted if that is infeasible.
    """
    _append(
        ctx,
        base,
        tag,
        split_list(manifest),
        docker_empty_base,
        _parse_bool(flatten, "--flatten"),
    )


def _append(
    ctx: typer.Context,
    base: str,
    tag: str,
    manifests: list[str],
    docker_empty_base: bool,
    flatten: bool,
) -> None:
    from containerregistry import empty, mutate, remote, types
    from containerregistry.crane._index import index_append
    from containerregistry.crane._inputs import is_local, load_input
    from containerregistry.errors import ContainerRegistryError

    ref: Reference | None = None
    base_index: ImageIndex
    if not base:
        if not tag:
            raise ContainerRegistryError("at least one of --base or --tag must be specified")
        typer.echo("base unspecified, using empty index", err=True)
        base_index = empty.index
        if docker_empty_base:
            base_index = mutate.index_media_type(base_index, types.DOCKER_MANIFEST_LIST)
    else:
        ref, base_index = _get_index(ctx, base)
        if ref is None and not tag:
            raise ContainerRegistryError(
                f"{base} is a local index; give -t/--tag to say where to push the result"
            )
    items: list[Image | ImageIndex] = []
    for text in manifests:
        if is_local(text):
            items.append(load_input(text, _every_platform(ctx)))
            continue
        descriptor = remote.get(parse_ref(ctx, text), **remote_options(ctx, platform=False))
        if types.is_image(descriptor.media_type):
            items.append(descriptor.image())
        elif types.is_index(descriptor.media_type):
            items.append(descriptor.image_index())
        else:
            raise ContainerRegistryError(
                f"saw unexpected MediaType {descriptor.media_type!r} for {text!r}"
            )
    result = index_append(base_index, items, flatten=flatten)
    if ref is None:
        ref = parse_ref(ctx, tag)
    _write(ctx, ref, result, tag)


@reported
def filter_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The index to filter.")],
    tag: Tag = "",
    platform: Platforms = None,
) -> None:
    """Modifies a remote index by filtering based on platform."""
    _filter(ctx, image, tag, split_list(platform))


def _filter(ctx: typer.Context, source: str, tag: str, platforms: list[str]) -> None:
    from containerregistry.crane._index import index_filter
    from containerregistry.v1 import Platform

    wanted = [Platform.parse(text) for text in platforms]
    ref, index = _get_index(ctx, source)
    if ref is None:
        if not tag:
            from containerregistry.errors import ContainerRegistryError

            raise ContainerRegistryError(
                f"{source} is a local index; give -t/--tag to say where to push the result"
            )
        ref = parse_ref(ctx, tag)
    _write(ctx, ref, index_filter(index, wanted), tag)


@reported
def list_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The index to list.")],
) -> None:
    """List the manifests in an index."""
    from containerregistry.crane._index import index_list

    _, index = _get_index(ctx, image)
    sys.stdout.write(index_list(index))


def build() -> typer.Typer:
    """Return the ``index`` command group."""
    group = typer.Typer(
        name="index",
        help="Modify an image index.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    group.command("append", help=append_command.__doc__)(append_command)
    group.command("filter", help=filter_command.__doc__)(filter_command)
    group.command("list", help=list_command.__doc__)(list_command)
    return group


def register(app: typer.Typer) -> None:
    """Add the ``index`` group to ``app``."""
    app.add_typer(build(), name="index")
