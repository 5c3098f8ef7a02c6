"""``crane copy SRC DST`` (alias ``cp``): copy images, indexes or whole repositories."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options


@reported
def copy(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument(metavar="SRC", show_default=False)],
    dst: Annotated[str, typer.Argument(metavar="DST", show_default=False)],
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
) -> None:
    """Efficiently copy a remote image from src to dst while retaining the digest value."""
    from containerregistry import crane

    options = crane_options(ctx, jobs=jobs, no_clobber=no_clobber)
    if all_tags:
        crane.copy_repository(src, dst, **options.args())
    else:
        crane.copy(src, dst, **options.args())


def register(app: typer.Typer) -> None:
    """Add ``copy`` and its alias ``cp`` to ``app``."""
    app.command("copy")(copy)
    app.command("cp", hidden=True)(copy)
