"""``crane mutate``, and the helpers the image-changing commands share.

The helpers (``parse_ref``, ``pull``, ``push``, ``digest_ref``) are used by append,
mutate, flatten, rebase, export, index and edit; they import the heavy packages only
when called. Failures are reported by ``_errors.reported``, options come from
``_options.crane_options``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import global_options, remote_options
from containerregistry.crane.cli._platforms import CompressionOption

if TYPE_CHECKING:
    from containerregistry.name import Reference
    from containerregistry.v1 import Hash, Image, ImageIndex


# -- shared helpers -------------------------------------------------------------


def platform_given(ctx: typer.Context) -> bool:
    """Return whether ``--platform`` names one platform (not ``all``)."""
    return global_options(ctx).platform != "all"


def parse_ref(ctx: typer.Context, text: str) -> Reference:
    """Parse an image reference as crane does (``--insecure`` allows plain http).

    skopeo's ``docker://`` prefix is accepted and dropped.
    """
    from containerregistry import name
    from containerregistry.crane._transports import registry_text

    return name.parse_reference(registry_text(text), insecure=global_options(ctx).insecure)


def pull(ctx: typer.Context, text: str) -> Image:
    """Return the image ``text`` names (a reference, an OCI layout or a tarball path).

    An index gives its ``--platform`` child (default linux/amd64).
    """
    from containerregistry.crane._inputs import load_image
    from containerregistry.crane.cli._options import crane_options

    return load_image(text, crane_options(ctx))


def push(ctx: typer.Context, ref: Reference, image: Image) -> None:
    """Push ``image`` to ``ref`` with the options the global flags give (progress too)."""
    from containerregistry import remote

    remote.write(ref, image, **remote_options(ctx, platform=False))


def elsewhere(target: str) -> bool:
    """Return whether the destination ``target`` is not a registry (``oci:DIR``, ...)."""
    from containerregistry.crane._transports import parse

    return not parse(target, sink=True).is_registry


def write_elsewhere(ctx: typer.Context, target: str, item: Image | ImageIndex) -> None:
    """Write ``item`` to the non-registry ``target`` and print its digest.

    See :func:`containerregistry.crane._transports.write`: the daemon and a docker
    archive get one image (an index's ``--platform`` child, default linux/amd64).
    """
    from containerregistry.crane._transports import write
    from containerregistry.crane.cli._options import crane_options

    digest = write(target, item, crane_options(ctx))
    sys.stdout.write(f"{digest}\n")


def digest_ref(ref: Reference, digest: Hash) -> str:
    """Return ``<full repository>@<digest>``, what crane prints after a push."""
    return f"{ref.context.name}@{digest}"


def by_digest_if_digest(ref: Reference, digest: Hash) -> Reference:
    """Return ``ref`` itself, or, if it names a digest, the new ``digest`` in its repository.

    An image changed in place cannot keep the old digest, so crane pushes it by its
    new one.
    """
    from containerregistry import name

    if isinstance(ref, name.Digest):
        return ref.context.digest(str(digest))
    return ref


def save(image: Image, tag: str, path: str) -> None:
    """Write ``image`` to a docker tarball at ``path`` under ``tag`` (as ``crane.Save``)."""
    from containerregistry import name, tarball
    from containerregistry.crane._destination import check_destination

    check_destination(path)
    ref = name.parse_reference(tag)
    tarball.write_to_file(path, ref, image)


# -- crane mutate ---------------------------------------------------------------


def parse_pairs(values: list[str], flag: str) -> list[tuple[str, str]]:
    """Split ``KEY=VALUE`` flag values (commas separate several, as pflag's map flags)."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        for item in value.split(","):
            key, equals, val = item.partition("=")
            if not equals:
                raise typer.BadParameter(
                    f"{item!r} must be formatted as key=value", param_hint=flag
                )
            pairs.append((key, val))
    return pairs


def split_list(values: list[str] | None) -> list[str]:
    """Flatten repeated, comma-separated values (pflag's ``StringSlice``)."""
    result: list[str] = []
    for value in values or ():
        result.extend(value.split(","))
    return result


Annotation = Annotated[
    list[str] | None,
    typer.Option("-a", "--annotation", help="New annotations to add (key=value)."),
]
Label = Annotated[
    list[str] | None, typer.Option("-l", "--label", help="New labels to add (key=value).")
]
Env = Annotated[
    list[str] | None,
    typer.Option("-e", "--env", help="New envvar to add (KEY=VALUE); order is kept."),
]
Entrypoint = Annotated[
    list[str] | None, typer.Option("--entrypoint", help="New entrypoint to set (a,b,c).")
]
Cmd = Annotated[list[str] | None, typer.Option("--cmd", help="New cmd to set (a,b,c).")]
User = Annotated[str, typer.Option("-u", "--user", help="New user to set.")]
Workdir = Annotated[str, typer.Option("-w", "--workdir", help="New working dir to set.")]
ExposedPorts = Annotated[
    list[str] | None,
    typer.Option("--exposed-ports", help="New ports to expose (replaces the set), e.g. 80/tcp."),
]
SetPlatform = Annotated[
    str,
    typer.Option(
        "--set-platform",
        help="New platform to set in the form os/arch[/variant][:osversion] (e.g. linux/amd64).",
    ),
]
AppendLayer = Annotated[
    list[str] | None, typer.Option("--append", help="Path to tarball to append to image.")
]
Tag = Annotated[
    str,
    typer.Option(
        "-t",
        "--tag",
        help="New tag to apply to mutated image. If not provided, push by digest to the "
        "original image repository.",
    ),
]
Repo = Annotated[
    str,
    typer.Option(
        "-r",
        "--repo",
        help="Repository to push the mutated image to. If provided, push by digest to "
        "this repository.",
    ),
]
Output = Annotated[
    str, typer.Option("-o", "--output", help="Path to new tarball of resulting image.")
]
AllPlatforms = Annotated[
    bool,
    typer.Option(
        "--all-platforms",
        help="Change every image of an index (keeping each child's platform and "
        "annotations) and push a new index, instead of one platform's image.",
    ),
]


@reported
def mutate_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image to change.")],
    annotation: Annotation = None,
    label: Label = None,
    env: Env = None,
    entrypoint: Entrypoint = None,
    cmd: Cmd = None,
    user: User = "",
    workdir: Workdir = "",
    exposed_ports: ExposedPorts = None,
    set_platform: SetPlatform = "",
    append: AppendLayer = None,
    tag: Tag = "",
    repo: Repo = "",
    output: Output = "",
    all_platforms: AllPlatforms = False,
    compression: CompressionOption = None,
) -> None:
    """Modify image labels and annotations. The container must be pushed to a registry,
    and the manifest is updated there."""
    _mutate(
        ctx,
        image,
        annotations=dict(parse_pairs(annotation or [], "--annotation")),
        labels=dict(parse_pairs(label or [], "--label")),
        env=parse_pairs(env or [], "--env"),
        entrypoint=split_list(entrypoint),
        cmd=split_list(cmd),
        user=user,
        workdir=workdir,
        exposed_ports=split_list(exposed_ports),
        set_platform=set_platform,
        append=split_list(append),
        tag=tag,
        repo=repo,
        output=output,
        all_platforms=all_platforms,
        compression=compression,
    )


def _mutate(
    ctx: typer.Context,
    source: str,
    *,
    annotations: dict[str, str],
    labels: dict[str, str],
    env: list[tuple[str, str]],
    entrypoint: list[str],
    cmd: list[str],
    user: str,
    workdir: str,
    exposed_ports: list[str],
    set_platform: str,
    append: list[str],
    tag: str,
    repo: str,
    output: str,
    all_platforms: bool = False,
    compression: str | None = None,
) -> None:
    from containerregistry import name, remote, types
    from containerregistry.crane._inputs import is_local, load_input
    from containerregistry.crane._mutate import MutateOptionError, mutate_image
    from containerregistry.crane._recompress import (
        map_index,
        oci_if_mixed,
        parse_algorithm,
        recompress,
    )
    from containerregistry.v1 import Platform

    if repo and tag:
        raise MutateOptionError("repository can't be set when a tag is specified")
    algorithm = parse_algorithm(compression) if compression is not None else None
    local = is_local(source)
    if local and not (tag or repo or output):
        raise MutateOptionError(
            f"{source} is a local image; give -t/--tag, --repo or -o/--output to say "
            "where the mutated image goes"
        )
    if all_platforms and set_platform:
        raise MutateOptionError(
            "--set-platform cannot be combined with --all-platforms: every child would "
            "claim the same platform"
        )
    whole = None
    if all_platforms:
        found = load_input(source, _all(ctx))
        if types.is_index(found.media_type()):
            whole = found
    elif annotations and not local:
        described = remote.head(parse_ref(ctx, source), **remote_options(ctx))
        if types.is_index(described.media_type):
            raise MutateOptionError(
                f"mutating annotations on an index is not yet supported: {source} is an "
                "index; pass --platform to pick one image, or --all-platforms to change "
                "every image"
            )

    def change(image: Image) -> Image:
        mutated = mutate_image(
            image,
            annotations=annotations or None,
            labels=labels or None,
            env=env,
            entrypoint=entrypoint or None,
            cmd=cmd or None,
            user=user,
            workdir=workdir,
            exposed_ports=exposed_ports or None,
            platform=Platform.parse(set_platform) if set_platform else None,
            append=append,
        )
        if algorithm is not None:
            mutated = recompress(mutated, algorithm)
        return mutated

    result: Any
    if whole is not None:
        if output:
            raise MutateOptionError(
                f"{source} is an index: a tarball (-o) holds one image; push it instead "
                "(-t/--repo) or drop --all-platforms"
            )
        result = oci_if_mixed(map_index(whole, change))  # type: ignore[arg-type]
    else:
        result = change(pull(ctx, source))
    target = repo or tag or source
    digest = result.digest()
    if output:
        save(result, target, output)
        return
    if not repo and elsewhere(target):
        write_elsewhere(ctx, target, result)
        return
    target_ref = parse_ref(ctx, target)
    if repo:
        repository = name.new_repository(repo, insecure=global_options(ctx).insecure)
        target_ref = repository.digest(str(digest))
    else:
        target_ref = by_digest_if_digest(target_ref, digest)
    if whole is not None:
        remote.write_index(target_ref, result, **remote_options(ctx, platform=False))
    else:
        push(ctx, target_ref, result)
    sys.stdout.write(digest_ref(target_ref, digest) + "\n")


def _all(ctx: typer.Context) -> Any:
    """Crane options from the global flags, but every platform (the whole index)."""
    from containerregistry.crane.cli._platforms import options_for

    return options_for(ctx, [])


def register(app: typer.Typer) -> None:
    """Add ``mutate`` to ``app``."""
    app.command("mutate", help=mutate_command.__doc__)(mutate_command)
