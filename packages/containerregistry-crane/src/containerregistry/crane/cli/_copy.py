"""``crane copy SRC DST`` (alias ``cp``): copy images, indexes or whole repositories."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._platforms import (
    CompressionOption,
    Platforms,
    options_for,
    requested_platforms,
)


@reported
def copy(
    ctx: typer.Context,
    src: Annotated[
        str,
        typer.Argument(
            metavar="SRC",
            show_default=False,
            help="A registry reference, or docker-daemon:NAME[:TAG], docker-archive:PATH[:REF], "
            "oci:DIR[:REF], oci-archive:PATH[:REF] or docker://REF.",
        ),
    ],
    dst: Annotated[
        str,
        typer.Argument(
            metavar="DST", show_default=False, help="Where to copy to, written as SRC is."
        ),
    ],
    all_tags: Annotated[
        bool,
        typer.Option("-a", "--all-tags", help="(Optional) if true, copy all tags from SRC to DST"),
    ] = False,
    no_clobber: Annotated[
        bool,
        typer.Option(
            "-n", "--no-clobber", help="(Optional) if true, avoid overwriting existing tags in DST"
        ),
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "-j", "--jobs", help="(Optional) The maximum number of concurrent copies; 0 means 4"
        ),
    ] = 0,
    platform: Platforms = None,
    referrers: Annotated[
        bool,
        typer.Option(
            "--referrers",
            help="(Optional) also copy the signatures and attestations that refer to the "
            "image (referrers API or sha256-<hex> tag), recursively",
        ),
    ] = False,
    compression: CompressionOption = None,
) -> None:
    """Efficiently copy a remote image from src to dst while retaining the digest value."""
    from containerregistry import crane
    from containerregistry.crane import CraneOptionsError
    from containerregistry.crane._recompress import parse_algorithm

    platforms = requested_platforms(ctx, platform)
    options = options_for(ctx, platforms, jobs=jobs, no_clobber=no_clobber)
    if compression is not None:
        parse_algorithm(compression)
    if all_tags:
        if len(platforms) > 1 or referrers or compression is not None:
            raise CraneOptionsError(
                "--all-tags cannot be combined with several platforms, --referrers or "
                "--compression; copy the tags one by one"
            )
        crane.copy_repository(src, dst, **options.args())
    else:
        crane.copy(
            src,
            dst,
            platforms=platforms if len(platforms) > 1 else None,
            referrers=referrers,
            compression=compression,
            **options.args(),
        )


def register(app: typer.Typer) -> None:
    """Add ``copy`` and its alias ``cp`` to ``app``."""
    app.command("copy")(copy)
    app.command("cp", hidden=True)(copy)
