"""``gcrane copy SRC DST [-r] [-j N]`` (alias ``cp``): an image, or a whole tree."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.gcrane.cli._options import Recursive, gcrane_args


@reported
def copy(
    ctx: typer.Context,
    src: Annotated[str, typer.Argument(metavar="SRC", show_default=False)],
    dst: Annotated[str, typer.Argument(metavar="DST", show_default=False)],
    recursive: Recursive = False,
    jobs: Annotated[
        int,
        typer.Option(
            "-j", "--jobs", help="The maximum number of concurrent copies (with -r; default 4)"
        ),
    ] = 4,
) -> None:
    """Efficiently copy a remote image from src to dst.

    With -r, SRC and every repository below it are copied to the same paths under
    DST; only images (and tags) DST lacks are copied.
    """
    from containerregistry import gcrane, logs

    args = gcrane_args(ctx, jobs=jobs)
    if not recursive:
        gcrane.copy(src, dst, **args)
        return
    report = gcrane.copy_repository(src, dst, **args)
    logs.progress.info("copied %d image(s) from %s to %s", len(report.copied), src, dst)


def register(app: typer.Typer) -> None:
    """Add ``copy`` and its alias ``cp`` to ``app``."""
    app.command("copy")(copy)
    app.command("cp", hidden=True)(copy)
