"""``crane manifest IMAGE``: print the manifest exactly as served, with no newline."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options


@reported
def manifest(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(metavar="IMAGE", show_default=False)],
) -> None:
    """Get the manifest of an image."""
    options = crane_options(ctx)
    from containerregistry.crane._inputs import is_local, load

    if is_local(image):
        raw = load(image, options).raw_manifest()
    else:
        from containerregistry.crane._read import manifest as read_manifest

        raw = read_manifest(image, **options.args())
    out = typer.get_binary_stream("stdout")
    out.write(raw)
    out.flush()


def register(app: typer.Typer) -> None:
    """Add ``manifest`` to ``app``."""
    app.command("manifest")(manifest)
