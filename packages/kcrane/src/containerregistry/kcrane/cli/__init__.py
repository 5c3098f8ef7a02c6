"""The kcrane command-line interface (alias krane): crane's commands with the k8schain.

:func:`build_app` makes the application; :func:`main` runs ``kcrane`` or ``krane``.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer

from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.crane.cli import run
from containerregistry.kcrane._keychain import KcraneKeychain
from containerregistry.kcrane.cli._root import add_kubernetes_flags

__all__ = ["NAMES", "build_app", "main"]

#: The names the tool answers to: ours, and ggcr's ``krane``.
NAMES = ("kcrane", "krane")


def build_app(name: str = "kcrane") -> typer.Typer:
    """Build kcrane (named ``name``, default ``kcrane``): every crane command, whose
    credentials come from the k8schain, and the global flags ``--namespace``,
    ``--service-account``, ``--image-pull-secret`` and ``--no-cluster``."""
    app = build_crane_app(name, keychain=KcraneKeychain())
    add_kubernetes_flags(app)
    return app


def _invoked_as() -> str:
    """``krane`` when run through that script (the User-Agent says so), else ``kcrane``."""
    called = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return called if called in NAMES else NAMES[0]


def main() -> NoReturn:
    """Run ``kcrane`` (or ``krane``); every failure exits with code 1, as crane's."""
    name = _invoked_as()
    run(build_app(name), name)
