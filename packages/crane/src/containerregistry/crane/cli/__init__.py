"""The crane command-line interface, built with Typer.

:func:`build_app` makes the application (gcrane and kcrane reuse it);
:func:`main` runs ``crane``.
"""

from __future__ import annotations

from typing import NoReturn

from containerregistry.crane.cli._app import build_app
from containerregistry.crane.cli._options import GlobalOptions, global_options
from containerregistry.crane.cli._run import reachable, run

__all__ = ["GlobalOptions", "build_app", "global_options", "main", "reachable", "run"]


def main(name: str = "crane") -> NoReturn:
    """Run the CLI ``name`` (default ``crane``) on ``sys.argv``; every failure exits 1.

    Usage mistakes print click's usage and ``Error: <message>`` (cobra prints the
    same), other failures one ``Error: <message>`` line, all on stderr.
    """
    run(build_app(name), name)
