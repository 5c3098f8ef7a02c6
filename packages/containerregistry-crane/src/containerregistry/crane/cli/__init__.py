"""The crane command-line interface, built with Typer.

:func:`build_app` makes the application (gcrane and kcrane reuse it);
:func:`main` runs ``crane``. Importing this package does not import Typer: the
names load on first use, and ``crane --help`` and ``crane version`` never need it.
"""

from __future__ import annotations

import sys

from containerregistry.lazy import attach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from containerregistry.crane.cli._app import build_app
    from containerregistry.crane.cli._options import GlobalOptions, global_options
    from containerregistry.crane.cli._run import reachable, run

__all__ = [
    "GlobalOptions",
    "build_app",
    "global_options",
    "main",
    "reachable",
    "run",
]

_MODULE_OF: dict[str, str] = {
    "build_app": "_app",
    "global_options": "_options",
    "GlobalOptions": "_options",
    "reachable": "_run",
    "run": "_run",
}

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)


def main(name: str = "crane") -> NoReturn:
    """Run the CLI ``name`` (default ``crane``) on ``sys.argv``; every failure exits 1.

    Usage mistakes print click's usage and ``Error: <message>`` (cobra prints the
    same), other failures one ``Error: <message>`` line, all on stderr.
    """
    from containerregistry.crane.cli._quick import answer, collect_rarely
    from containerregistry.crane.cli._root_help import ROOT_HELP

    if answer(name, sys.argv[1:], ROOT_HELP):
        sys.exit(0)
    collect_rarely()
    from containerregistry.crane.cli._app import build_app
    from containerregistry.crane.cli._run import run

    run(build_app(name, argv=sys.argv[1:]), name)
