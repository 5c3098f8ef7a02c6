"""``crane blob REPO@DIGEST``: write a blob's bytes, verified, to stdout."""

from __future__ import annotations

import shutil
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options

#: Bytes copied at a time: large enough to keep the pipe busy, small enough for memory.
_CHUNK = 1 << 20


@reported
def blob(
    ctx: typer.Context,
    blob: Annotated[str, typer.Argument(metavar="BLOB", show_default=False)],
) -> None:
    """Read a blob from the registry."""
    from containerregistry.crane._read import pull_layer

    options = crane_options(ctx)
    out = typer.get_binary_stream("stdout")
    with pull_layer(blob, **options.args()).compressed() as stream:
        shutil.copyfileobj(stream, out, _CHUNK)
    out.flush()


def register(app: typer.Typer) -> None:
    """Add ``blob`` to ``app``."""
    app.command("blob")(blob)
