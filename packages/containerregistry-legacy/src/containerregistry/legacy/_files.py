"""Writing a file under a temporary name and renaming it into place."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from typing import BinaryIO


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a new file beside ``path`` and rename it onto ``path`` when the block succeeds.

    The file gets mode 0666 less the umask, as a plain ``open`` would. On any error
    the temporary file is removed and whatever was at ``path`` stays untouched.
    """
    target = os.fspath(path)
    directory, base = os.path.split(target)
    temp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
