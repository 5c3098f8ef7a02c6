"""The kcrane application: every crane command, with the k8schain and its flags."""

from __future__ import annotations

from collections.abc import Sequence

import typer

from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.kcrane._keychain import KcraneKeychain
from containerregistry.kcrane.cli._root import add_kubernetes_flags


def build_app(name: str = "kcrane", *, argv: Sequence[str] | None = None) -> typer.Typer:
    """Build kcrane (named ``name``, default ``kcrane``): every crane command, whose
    credentials come from the k8schain, and the global flags ``--namespace``,
    ``--service-account``, ``--image-pull-secret`` and ``--no-cluster``.

    ``argv`` (default None: every command) is the command line the app will run:
    given, only the commands it names are loaded (all of them for help, completion or
    no known command), as in crane's ``build_app``.
    """
    app = build_crane_app(name, keychain=KcraneKeychain(), argv=argv)
    add_kubernetes_flags(app)
    return app
