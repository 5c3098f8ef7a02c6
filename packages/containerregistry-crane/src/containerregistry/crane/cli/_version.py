"""``crane version``: print the version."""

from __future__ import annotations

import typer

from containerregistry.crane.cli._errors import reported


def version_text() -> str:
    """The version ``crane version`` prints: the source's ``__version__``.

    tools/bump-version writes it and every distribution's metadata in one go, so it is
    the installed distribution's version too; importlib.metadata (email, zipfile, csv)
    would cost ``crane version`` a fifth of its start.
    """
    from containerregistry.crane._version import __version__

    return __version__


@reported
def version() -> None:
    """Print the version."""
    print(version_text())


def register(app: typer.Typer) -> None:
    """Add ``version`` to ``app``."""
    app.command("version")(version)
