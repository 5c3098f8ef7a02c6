"""``crane catalog REGISTRY``: one repository per line."""

from __future__ import annotations

import posixpath
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import FullRef, crane_options


@reported
def catalog(
    ctx: typer.Context,
    registry: Annotated[str, typer.Argument(metavar="REGISTRY", show_default=False)],
    full_ref: FullRef = False,
) -> None:
    """List the repos in a registry."""
    from containerregistry.crane._read import catalog as read_catalog

    options = crane_options(ctx)
    repos = read_catalog(registry, **options.args())
    lines = [posixpath.join(registry, r) if full_ref else r for r in repos]
    if lines:
        print("\n".join(lines))


def register(app: typer.Typer) -> None:
    """Add ``catalog`` to ``app``."""
    app.command("catalog")(catalog)
