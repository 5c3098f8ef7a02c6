"""Loggers the library writes to: ``warn``, ``progress`` and ``debug``.

They mirror ggcr's ``pkg/logs``: the library is quiet (each logger has a
``NullHandler``) and the CLIs attach handlers to show them.
"""

from containerregistry.logs._loggers import debug, enabled, progress, warn

__all__ = ["debug", "enabled", "progress", "warn"]
