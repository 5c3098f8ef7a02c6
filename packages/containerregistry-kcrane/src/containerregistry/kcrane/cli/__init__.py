"""The kcrane command-line interface (alias krane): crane's commands with the k8schain.

:func:`build_app` makes the application; :func:`main` runs ``kcrane`` or ``krane``.
Importing this package does not import Typer, and ``kcrane --help`` never needs it.
"""

from __future__ import annotations

import os
import sys

from containerregistry.lazy import attach

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn

    from containerregistry.kcrane.cli._app import build_app

_MODULE_OF: dict[str, str] = {
    "build_app": "_app",
}

__all__ = [
    "NAMES",
    "build_app",
    "main",
]

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)

#: The names the tool answers to: ours, and ggcr's ``krane``.
NAMES = ("kcrane", "krane")


def _invoked_as() -> str:
    """``krane`` when run through that script (the User-Agent says so), else ``kcrane``."""
    called = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return called if called in NAMES else NAMES[0]


def main() -> NoReturn:
    """Run ``kcrane`` (or ``krane``); every failure exits with code 1, as crane's."""
    from containerregistry.crane.cli._quick import answer, collect_rarely
    from containerregistry.kcrane.cli._root_help import ROOT_HELP

    name = _invoked_as()
    if answer(name, sys.argv[1:], ROOT_HELP):
        sys.exit(0)
    collect_rarely()
    from containerregistry.crane.cli._run import run
    from containerregistry.kcrane.cli._app import build_app

    run(build_app(name, argv=sys.argv[1:]), name)
