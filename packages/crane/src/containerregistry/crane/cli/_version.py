"""``crane version``: print the version."""

from __future__ import annotations

import typer

from containerregistry.crane.cli._errors import reported


def version_text() -> str:
    """The installed distribution's version, else the source's, as ``crane version`` prints."""
    from importlib import metadata

    try:
        return metadata.version("crane")
    except metadata.PackageNotFoundError:
        from containerregistry.crane._version import __version__

        return __version__


@reported
def version() -> None:
    """Print the version."""
    print(version_text())


def register(app: typer.Typer) -> None:
    """Add ``version`` to ``app``."""
    app.command("version")(version)
