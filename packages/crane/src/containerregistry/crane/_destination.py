"""Files crane writes: errors name the user's path, never the temporary file beside it.

Writers put a file under a temporary name in the destination's directory and
rename it into place. When that directory is missing, the error the system gives
names the temporary file; :func:`check_destination` fails first with the user's
path, and :func:`naming` rewrites any later ``OSError`` about a file beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from containerregistry.crane._errors import CraneError


class DestinationError(CraneError, OSError):
    """A file cannot be written where the user asked (its directory is missing, ...)."""


def _shown_directory(path: str) -> str:
    return os.path.dirname(path) or "."


def check_destination(path: str) -> None:
    """Raise :class:`DestinationError` when a file cannot be written at ``path``.

    The message names ``path`` and its directory as the user wrote them: the
    directory does not exist, is not a directory, or ``path`` is itself a directory.
    """
    expanded = os.path.expanduser(path)
    parent = os.path.dirname(os.path.abspath(expanded))
    if not os.path.exists(parent):
        raise DestinationError(
            f"cannot write {path}: directory {_shown_directory(path)} does not exist"
        )
    if not os.path.isdir(parent):
        raise DestinationError(f"cannot write {path}: {_shown_directory(path)} is not a directory")
    if os.path.isdir(expanded):
        raise DestinationError(f"cannot write {path}: it is a directory; give a file name")


@contextlib.contextmanager
def naming(path: str) -> Iterator[None]:
    """Turn an ``OSError`` about a temporary file beside ``path`` into one about ``path``."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, DestinationError) or exc.filename is None:
            raise
        where = os.path.dirname(os.path.abspath(os.fspath(exc.filename)))
        mine = os.path.dirname(os.path.abspath(os.path.expanduser(path)))
        if where != mine or os.path.abspath(os.fspath(exc.filename)) == mine:
            raise
        reason = (exc.strerror or str(exc)).lower()
        raise DestinationError(
            f"cannot write {path}: {reason} (in directory {_shown_directory(path)})"
        ) from exc
