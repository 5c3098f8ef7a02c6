"""Progress reports: bytes moved of bytes to move, across every blob of a write."""

from __future__ import annotations

import threading

from containerregistry.v1 import ProgressCallback as ProgressCallback  # for _options
from containerregistry.v1 import Update


class Progress:
    """Counts bytes per blob and reports the sum to ``callback`` (None: count silently).

    Per-blob counters let a resumed upload report where it really is instead of
    counting resent bytes twice. Reports are serialized by a lock.
    """

    def __init__(self, callback: ProgressCallback | None) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self._total = 0
        self._done: dict[str, int] = {}
        self._complete = 0

    def add_total(self, size: int) -> None:
        """Announce ``size`` more bytes of work."""
        with self._lock:
            self._total += max(size, 0)

    def set(self, key: str, done: int) -> None:
        """Record that ``done`` bytes of item ``key`` are through, and report."""
        if self._callback is None:
            return
        with self._lock:
            self._complete += done - self._done.get(key, 0)
            self._done[key] = done
            self._callback(Update(total=self._total, complete=self._complete))

    def fail(self, error: BaseException) -> None:
        """Report the error that ended the work."""
        if self._callback is None:
            return
        with self._lock:
            self._callback(Update(total=self._total, complete=self._complete, error=error))
