"""The gcrane application: crane's, with Google's keychain and gcrane's own commands."""

from __future__ import annotations

import typer

from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.gcrane._keychain import KEYCHAIN
from containerregistry.gcrane.cli import _copy, _gc, _ls

#: crane's commands gcrane replaces with its own.
REPLACED = frozenset({"ls", "copy", "cp"})


def build_app(name: str = "gcrane") -> typer.Typer:
    """Build gcrane (named ``name``, default ``gcrane``): crane's app with gcrane's
    keychain (which crane's ``auth get``/``token`` use too), crane's ``ls`` and
    ``copy``/``cp`` replaced, and ``gc`` added."""
    app = build_crane_app(name, keychain=KEYCHAIN)
    app.info.help = f"{name} is a tool for managing container images, specifically for GCR"
    app.registered_commands = [c for c in app.registered_commands if c.name not in REPLACED]
    app.registered_groups = [g for g in app.registered_groups if g.name not in REPLACED]
    for module in (_copy, _gc, _ls):
        module.register(app)
    return app
