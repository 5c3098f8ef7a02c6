"""``crane export``: write an image's flattened filesystem as a tarball."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import parse_ref
from containerregistry.crane.cli._options import remote_options

if TYPE_CHECKING:
    from containerregistry.v1 import Image


@reported
def export_command(
    ctx: typer.Context,
    image: Annotated[
        str,
        typer.Argument(
            help="The image to export (a reference, an OCI layout or a tarball path), "
            "or - for a docker tarball on stdin."
        ),
    ],
    tarball: Annotated[
        str, typer.Argument(help="Where to write the filesystem tar (default - for stdout).")
    ] = "-",
) -> None:
    """Export filesystem of a container image as a tarball."""
    _export(ctx, image, tarball)


def _source(ctx: typer.Context, source: str) -> tuple[Image, str | None]:
    """Return the image to export and a spool file to remove afterwards (for stdin)."""
    import tempfile  # here, not at the top: every crane start imports this module

    from containerregistry import remote, tarball, types

    if source == "-":
        spool = tempfile.NamedTemporaryFile(prefix="crane-export-", suffix=".tar", delete=False)  # noqa: SIM115
        try:
            with spool:
                shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
            return tarball.image_from_path(spool.name), spool.name
        except BaseException:
            os.unlink(spool.name)
            raise
    from containerregistry.crane._inputs import is_local, load_image

    if is_local(source):
        from containerregistry.crane.cli._options import crane_options

        return load_image(source, crane_options(ctx)), None
    descriptor = remote.get(parse_ref(ctx, source), **remote_options(ctx))
    if types.is_schema1(descriptor.media_type):
        return descriptor.schema1(), None
    return descriptor.image(), None


#: The output file's buffer.
_BUFFER = 1 << 20


def _export(ctx: typer.Context, source: str, destination: str) -> None:
    from containerregistry.crane._destination import check_destination
    from containerregistry.crane._export import export

    if destination != "-":
        check_destination(destination)  # before the image is read
    image, spool = _source(ctx, source)
    try:
        if destination == "-":
            export(image, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            return
        from containerregistry.files import atomic_file

        # A large buffer: the tar arrives as many small headers. A device or FIFO
        # (/dev/null) is written in place, anything else renamed into place whole.
        with atomic_file(os.path.expanduser(destination), buffering=_BUFFER) as handle:
            export(image, handle)
    finally:
        if spool is not None:
            os.unlink(spool)


def register(app: typer.Typer) -> None:
    """Add ``export`` to ``app``."""
    app.command("export", help=export_command.__doc__)(export_command)
