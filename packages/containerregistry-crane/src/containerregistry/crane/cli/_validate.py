"""``crane validate``: print ``PASS: <x>``, or ``FAIL: <x>: <error>`` and exit 1."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import crane_options

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex


@reported
def validate(
    ctx: typer.Context,
    tarball: Annotated[
        str | None, typer.Option("--tarball", help="Path to tarball (or OCI layout) to validate")
    ] = None,
    remote: Annotated[
        str | None, typer.Option("--remote", help="Name of remote image to validate")
    ] = None,
    fast: Annotated[bool, typer.Option("--fast", help="Skip downloading/digesting layers")] = False,
) -> None:
    """Validate that an image is well-formed."""
    from containerregistry import crane
    from containerregistry.crane._inputs import load_input

    options = crane_options(ctx)
    targets = [(label, local) for label, local in ((tarball, True), (remote, False)) if label]
    for label, local in targets:
        try:
            # --tarball also takes an OCI layout directory.
            image: Image | ImageIndex = (
                crane.load(label) if local and os.path.isfile(label) else load_input(label, options)
            )
        except Exception as exc:
            raise crane.CraneError(f"failed to read image {label}: {exc}") from exc
        try:
            crane.validate(image, fast=fast)
        except Exception as exc:
            # As crane: the FAIL line on stdout, the error on stderr, exit 1, and
            # nothing after the first failure is validated.
            print(f"FAIL: {label}: {exc}", flush=True)
            raise crane.CraneError(f"{label}: {exc}") from exc
        print(f"PASS: {label}")


def register(app: typer.Typer) -> None:
    """Add ``validate`` to ``app``."""
    app.command("validate")(validate)
