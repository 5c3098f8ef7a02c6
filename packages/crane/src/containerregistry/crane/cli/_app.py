"""The application factory and the root callback with crane's global flags."""

from __future__ import annotations

import logging
import sys

import typer

from containerregistry.crane.cli import _registry
from containerregistry.crane.cli._options import (
    AllowNondistributable,
    GlobalOptions,
    Insecure,
    PlatformOption,
    Verbose,
)


def _root(
    ctx: typer.Context,
    verbose: Verbose = False,
    insecure: Insecure = False,
    platform: PlatformOption = "all",
    allow_nondistributable_artifacts: AllowNondistributable = False,
) -> None:
    ctx.obj = GlobalOptions(
        verbose=verbose,
        insecure=insecure,
        platform=platform,
        allow_nondistributable_artifacts=allow_nondistributable_artifacts,
    )
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y/%m/%d %H:%M:%S"))
        logger = logging.getLogger("containerregistry")
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)


def build_app(name: str = "crane") -> typer.Typer:
    """Build the CLI named ``name`` (default ``crane``) with every crane command.

    gcrane and kcrane call this, then replace or add commands.
    """
    app = typer.Typer(
        name=name,
        help=f"{name} is a tool for managing container images.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Help texts contain brackets such as os/arch[/variant]; they are not markup.
        rich_markup_mode=None,
    )
    app.callback()(_root)
    app.add_typer(_registry.build(), name="registry")
    return app
