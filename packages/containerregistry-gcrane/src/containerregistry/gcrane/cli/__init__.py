"""The gcrane command-line interface: crane's commands with ``ls``, ``copy`` and
``auth`` replaced by Google-aware ones, ``gc`` added, and Google's keychain first.

:func:`build_app` makes the application; :func:`main` runs ``gcrane``. Importing
this package does not import Typer, and ``gcrane --help`` never needs it.
"""

from __future__ import annotations

import sys

from containerregistry.lazy import attach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from containerregistry.gcrane.cli._app import REPLACED, build_app

_MODULE_OF: dict[str, str] = {
    "build_app": "_app",
    "REPLACED": "_app",
}

__all__ = [
    "REPLACED",
    "build_app",
    "main",
]

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)


def main() -> NoReturn:
    """Run ``gcrane`` on ``sys.argv``; every failure exits with code 1 (crane's ``run``)."""
    from containerregistry.crane.cli._quick import answer, collect_rarely
    from containerregistry.gcrane.cli._root_help import ROOT_HELP

    if answer("gcrane", sys.argv[1:], ROOT_HELP):
        sys.exit(0)
    collect_rarely()
    from containerregistry.crane.cli._run import run
    from containerregistry.gcrane.cli._app import build_app

    run(build_app(argv=sys.argv[1:]), "gcrane")
