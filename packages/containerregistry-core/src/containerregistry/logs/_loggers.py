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


def enabled(logger: logging.Logger) -> bool:
    """Return whether ``logger`` has a handler beyond the default ``NullHandler``.

    Callers use it to skip building expensive messages (e.g. request dumps).
    """
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return current.isEnabledFor(logging.DEBUG) or current.isEnabledFor(logging.INFO)
        if not current.propagate:
            break
        current = current.parent
    return False
