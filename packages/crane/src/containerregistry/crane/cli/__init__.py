"""The crane command-line interface, built with Typer.

:func:`build_app` makes the application (gcrane and kcrane reuse it);
:func:`main` runs ``crane``.
"""

from __future__ import annotations

import sys

from containerregistry.crane.cli._app import build_app
from containerregistry.crane.cli._options import GlobalOptions, global_options

__all__ = ["GlobalOptions", "build_app", "global_options", "main"]


def main() -> None:
    """Run ``crane``; errors are printed as ``Error: <message>`` and exit with code 1."""
    from containerregistry.errors import ContainerRegistryError

    try:
        build_app("crane")(prog_name="crane")
    except ContainerRegistryError as error:
        print(f"Error: {error}", file=sys.stderr)
        sys.exit(1)
