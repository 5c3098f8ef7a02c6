"""The three named loggers of the library."""

from __future__ import annotations

import logging

#: Things a user should know about but that do not stop the work.
warn = logging.getLogger("containerregistry.warn")
#: One line per unit of progress (blob pushed, layer written).
progress = logging.getLogger("containerregistry.progress")
#: Request and response dumps, with credentials redacted.
debug = logging.getLogger("containerregistry.debug")

for _logger in (warn, progress, debug):
    _logger.addHandler(logging.NullHandler())


def enabled(logger: logging.Logger, *, level: int = logging.DEBUG) -> bool:
    """Return whether a record of ``level`` (default DEBUG) sent to ``logger`` would be shown.

    That needs the logger's effective level to let it through and a handler other
    than the default ``NullHandler`` somewhere on its way to the root. Callers use
    it to skip building expensive messages (e.g. request dumps).
    """
    if not logger.isEnabledFor(level):
        return False
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False
