"""``crane tag IMG TAG``: put a manifest under another tag of its repository."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import fail, reported
from containerregistry.crane.cli._options import crane_options


@reported
def tag(
    ctx: typer.Context,
    img: Annotated[str, typer.Argument(metavar="IMG", show_default=False)],
    new_tag: Annotated[str | None, typer.Argument(metavar="TAG", show_default=False)] = None,
    delete: Annotated[
        bool,
        typer.Option(
            "--delete",
            help="(Optional) remove the tag IMG names instead (untag; only where the "
            "registry deletes manifests by tag)",
        ),
    ] = False,
) -> None:
    """Efficiently tag a remote image.

    This differs slightly from the "copy" command in a couple subtle ways: you don't
    have to specify the entire repository for the tag you're adding, and the image
    is only read once (its manifest is put again under the new tag).
    """
    from containerregistry import crane

    if delete:
        if new_tag is not None:
            raise fail("tag --delete takes one argument, the tag to remove: IMG:TAG")
        from containerregistry.crane._write import untag

        untag(img, **crane_options(ctx).args())
        return
    if new_tag is None:
        raise fail("accepts 2 arg(s), received 1")
    from containerregistry.crane._transports import parse

    location = parse(img)
    if location.is_registry:
        crane.tag(location.target, new_tag, **crane_options(ctx).args())
    else:
        # oci:DIR[:REF] gets an entry named TAG, docker-daemon:NAME a docker tag.
        from containerregistry.crane._transports import add_tag

        add_tag(location, new_tag, crane_options(ctx))


def register(app: typer.Typer) -> None:
    """Add ``tag`` to ``app``."""
    app.command("tag")(tag)
