"""Several ``--platform``s for copy, pull and flatten, and the ``--compression`` option.

The global ``--platform`` takes one value; a comma list there
(``crane --platform linux/amd64,linux/arm64 copy ...``) or the repeatable
``--platform`` of these commands (``crane copy --platform linux/amd64 --platform
linux/arm64 ...``) asks for several platforms at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from containerregistry.crane.cli._options import global_options

if TYPE_CHECKING:
    from containerregistry.crane._options import Options
    from containerregistry.v1 import Platform

Platforms = Annotated[
    list[str] | None,
    typer.Option(
        "--platform",
        help="Platform(s) to keep, os/arch[/variant][:osversion][,<platform>] (repeatable; "
        "overrides the global --platform). Two or more keep an index of just those.",
    ),
]
CompressionOption = Annotated[
    str | None,
    typer.Option(
        "--compression",
        help="Re-compress every layer with zstd or gzip (changes digests; zstd makes "
        "Docker manifests OCI).",
    ),
]


def requested_platforms(ctx: typer.Context, local: list[str] | None) -> list[Platform]:
    """The platforms asked for: the command's ``--platform`` values, else the global one.

    ``[]`` means every platform (``all``).
    """
    from containerregistry.crane._platforms import parse_platforms

    if local:
        return parse_platforms(local)
    return parse_platforms(global_options(ctx).platform)


def options_for(ctx: typer.Context, platforms: list[Platform], **extra: Any) -> Options:
    """Crane options from the global flags, with one platform (or none) from ``platforms``.

    Two or more platforms leave the option empty: the command selects them itself.
    """
    from containerregistry.crane._options import Options
    from containerregistry.crane._version import __version__

    flags = global_options(ctx)
    return Options.make(
        platform=platforms[0] if len(platforms) == 1 else None,
        insecure=flags.insecure,
        nondistributable=flags.allow_nondistributable_artifacts,
        user_agent=f"{ctx.find_root().info_name or 'crane'}/{__version__}",
        keychain=flags.keychain,
        **extra,
    )
