"""Compute-once values for lazy views shared between threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """Call ``compute`` on first :meth:`get` and return that result ever after.

    Thread-safe: concurrent first calls compute once. An exception is not cached,
    so a failed download can be retried by asking again.
    """

    __slots__ = ("_compute", "_done", "_lock", "_value")

    def __init__(self, compute: Callable[[], T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: T | None = None

    def get(self) -> T:
        if not self._done:
            with self._lock:
                if not self._done:
                    self._value = self._compute()
                    self._done = True
        return self._value  # type: ignore[return-value]
