"""``crane delete IMAGE``: delete a manifest from its registry."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options


@reported
def delete(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(metavar="IMAGE", show_default=False)],
) -> None:
    """Delete an image reference from its registry."""
    from containerregistry import crane

    crane.delete(image, **crane_options(ctx).args())


def register(app: typer.Typer) -> None:
    """Add ``delete`` to ``app``."""
    app.command("delete")(delete)
