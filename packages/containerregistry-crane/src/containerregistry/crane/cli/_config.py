"""``crane config IMAGE``: print the config blob as stored, with no newline."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options


@reported
def config(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(metavar="IMAGE", show_default=False)],
) -> None:
    """Get the config of an image."""
    options = crane_options(ctx)
    from containerregistry.crane._inputs import is_local, load_image

    if is_local(image):
        raw = load_image(image, options).raw_config_file()
    else:
        from containerregistry.crane._read import config as read_config

        raw = read_config(image, **options.args())
    out = typer.get_binary_stream("stdout")
    out.write(raw)
    out.flush()


def register(app: typer.Typer) -> None:
    """Add ``config`` to ``app``."""
    app.command("config")(config)
