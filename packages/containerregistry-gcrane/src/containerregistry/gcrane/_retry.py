"""Whole operations (list, diff, copy, delete) repeated with GCR's backoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from containerregistry.errors import ContainerRegistryError

if TYPE_CHECKING:
    from containerregistry.transport import Retry

T = TypeVar("T")


def default_retry() -> Retry:
    """GCR's backoff (6 s, 60 s, 600 s): quota 429s refill by the minute."""
    from containerregistry.google import GCR_RETRY

    return GCR_RETRY


def is_temporary(error: BaseException) -> bool:
    """Whether repeating the operation may succeed: a 429, a 5xx, or a temporary error."""
    status = getattr(error, "status", None)
    if isinstance(status, int) and (status == 429 or status >= 500):
        return True
    return bool(getattr(error, "temporary", False))


def retrying(operation: Callable[[], T], what: str, policy: Retry | None) -> T:
    """Run ``operation``, repeating it on temporary errors as ``policy`` says
    (default None: :func:`default_retry`)."""
    policy = policy if policy is not None else default_retry()
    attempt = 1
    while True:
        try:
            return operation()
        except ContainerRegistryError as error:
            if attempt >= policy.attempts or not is_temporary(error):
                raise
            wait = policy.delay(attempt)
            if wait is None:
                raise
            # Said on the transport's retry logger: a terminal shows each wait (GCR's
            # are long: 6 s, 60 s, 600 s).
            policy.wait(wait, reason=f"{what} failed ({error})", attempt=attempt + 1)
            attempt += 1
