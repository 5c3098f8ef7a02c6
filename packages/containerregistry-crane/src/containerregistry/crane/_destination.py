"""Files crane writes: checked before any image is read, errors naming the user's path.

Writers put a file under a temporary name beside the destination and rename it into
place (``containerregistry.files.atomic_file``, whose errors name the destination).
:func:`check_destination` fails first, before anything is downloaded, with the path
and directory as the user wrote them.
"""

from __future__ import annotations

import os

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
