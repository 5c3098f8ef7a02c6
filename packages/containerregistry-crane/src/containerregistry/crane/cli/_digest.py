"""``crane digest IMAGE``: print the digest of an image or index."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import fail, reported
from containerregistry.crane.cli._options import FullRef, crane_options


@reported
def digest(
    ctx: typer.Context,
    image: Annotated[str | None, typer.Argument(metavar="IMAGE", show_default=False)] = None,
    tarball: Annotated[
        str | None,
        typer.Option("--tarball", help="(Optional) path to tarball containing the image"),
    ] = None,
    full_ref: FullRef = False,
    full: Annotated[bool, typer.Option("--full", hidden=True)] = False,
) -> None:
    """Get the digest of an image."""
    full_ref = full_ref or full
    if tarball is None and image is None:
        # As crane: the command's help on stdout, then the error (exit 1).
        print(ctx.get_help(), flush=True)
        raise fail("image reference required without --tarball")
    if full_ref and tarball is not None:
        raise fail("cannot specify --full-ref with --tarball")
    options = crane_options(ctx)
    if tarball is not None:
        from containerregistry import crane

        try:
            found = str(crane.load(tarball, tag=image).digest())
        except Exception as exc:
            raise crane.InputError(f"loading image from {tarball!r}: {exc}") from exc
    elif image is not None:
        from containerregistry.crane._inputs import is_local, load

        if is_local(image):
            found = str(load(image, options).digest())
        else:
            from containerregistry.crane._read import digest as read_digest

            found = read_digest(image, **options.args())
    if full_ref and image is not None:
        print(options.reference(image).context.digest(found))
    else:
        print(found)


def register(app: typer.Typer) -> None:
    """Add ``digest`` to ``app``."""
    app.command("digest")(digest)
