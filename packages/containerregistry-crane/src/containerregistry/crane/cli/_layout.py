"""``crane layout gc PATH`` (hidden): delete blobs no manifest of an OCI layout references."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported


@reported
def gc(path: Annotated[str, typer.Argument(metavar="PATH", show_default=False)]) -> None:
    """Garbage-collect unreferenced blobs in a local OCI image layout."""
    from containerregistry import layout

    target = layout.from_path(path)
    for digest in target.garbage_collect():
        print(f"garbage collecting: {digest}", file=sys.stderr, flush=True)
        target.remove_blob(digest)


def register(app: typer.Typer) -> None:
    """Add the hidden ``layout`` group to ``app``."""
    group = typer.Typer(help="Work with OCI image layouts.", no_args_is_help=True)
    group.command("gc")(gc)
    app.add_typer(group, name="layout", hidden=True)
