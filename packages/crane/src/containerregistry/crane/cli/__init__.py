"""The crane command-line interface, built with Typer.

:func:`build_app` makes the application (gcrane and kcrane reuse it);
:func:`main` runs ``crane``.
"""

from __future__ import annotations

import sys

import typer

from containerregistry.crane.cli._app import build_app
from containerregistry.crane.cli._errors import error_line
from containerregistry.crane.cli._options import GlobalOptions, global_options

__all__ = ["GlobalOptions", "build_app", "global_options", "main"]


def main(name: str = "crane") -> None:
    """Run the CLI ``name`` (default ``crane``); every failure exits with code 1.

    Usage mistakes print click's usage and ``Error: <message>`` (cobra prints the
    same), other failures one ``Error: <message>`` line, all on stderr.
    """
    try:
        code = build_app(name)(prog_name=name, standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    except typer.TyperException as mistake:
        show = getattr(mistake, "show", None)
        if callable(show):
            show()
        else:
            print(error_line(mistake), file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # crane exits 1 on any error
        print(error_line(error), file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
