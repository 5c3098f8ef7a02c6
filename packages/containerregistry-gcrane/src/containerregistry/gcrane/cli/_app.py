"""The gcrane application: crane's, with Google's keychain and gcrane's own commands."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import typer

from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.crane.cli._app import command_filter
from containerregistry.gcrane._keychain import KEYCHAIN

#: crane's commands gcrane replaces with its own.
REPLACED = frozenset({"ls", "copy", "cp"})

#: gcrane's command modules, each with the names it registers (``register(app)``).
_COMMAND_MODULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("_copy", frozenset({"copy", "cp"})),
    ("_gc", frozenset({"gc"})),
    ("_ls", frozenset({"ls"})),
)
_OWN_COMMANDS = frozenset().union(*(names for _, names in _COMMAND_MODULES))


def build_app(name: str = "gcrane", *, argv: Sequence[str] | None = None) -> typer.Typer:
    """Build gcrane (named ``name``, default ``gcrane``): crane's app with gcrane's
    keychain (which crane's ``auth get``/``token`` use too), crane's ``ls`` and
    ``copy``/``cp`` replaced, and ``gc`` added.

    ``argv`` (default None: every command) is the command line the app will run:
    given, only the commands it names are loaded (all of them for help, completion or
    no known command), as in crane's ``build_app``.
    """
    app = build_crane_app(name, keychain=KEYCHAIN, argv=argv, own_commands=_OWN_COMMANDS)
    app.info.help = f"{name} is a tool for managing container images, specifically for GCR"
    app.registered_commands = [c for c in app.registered_commands if c.name not in REPLACED]
    app.registered_groups = [g for g in app.registered_groups if g.name not in REPLACED]
    wanted = command_filter(argv, _OWN_COMMANDS)
    for module_name, names in _COMMAND_MODULES:
        if wanted(names):
            importlib.import_module(f"{__package__}.{module_name}").register(app)
    return app
