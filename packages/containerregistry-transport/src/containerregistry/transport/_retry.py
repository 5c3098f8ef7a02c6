"""The retry layer: backoff with jitter, ``Retry-After``, and a way to opt out."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import random
import time
from collections.abc import Callable, Iterator, Mapping

import requests
from requests.adapters import BaseAdapter

from containerregistry.transport._errors import (
    RETRY_AFTER_STATUS_CODES,
    is_permanent_connection_error,
    parse_retry_after,
)
from containerregistry.transport._layer import Cert, Layer, Timeout, body_position, rewind

#: The status codes retried by default (ggcr's list):
RETRY_STATUS_CODES = frozenset(
    {
        408,  # Request Timeout
        429,  # Too Many Requests: honours Retry-After
        499,  # nginx's "client closed request", seen from proxies in front of registries
        500,  # Internal Server Error
        502,  # Bad Gateway
        503,  # Service Unavailable: honours Retry-After
        504,  # Gateway Timeout
        522,  # Cloudflare's "connection timed out" to the origin
    }
)

_no_retry: contextvars.ContextVar[bool] = contextvars.ContextVar("no_retry", default=False)


@contextlib.contextmanager
def no_retry() -> Iterator[None]:
    """Within this block, requests on this thread are sent once and never retried.

    For requests that must not be repeated blindly (a blob ``PATCH`` of a stream); the
    caller retries the whole operation instead.
    """
    token = _no_retry.set(True)
    try:
        yield
    finally:
        _no_retry.reset(token)


@dataclasses.dataclass(frozen=True)
class Retry:
    """How the retry layer repeats failed requests.

    - ``attempts``: total tries, the first included (default 3, as ggcr's 3 steps);
      1 disables retries.
    - ``backoff``: the first wait in seconds (default 1.0); each next wait is
      ``factor`` (default 3.0) times longer: 1 s, then 3 s.
    - ``jitter``: up to this fraction is added to each wait (default 0.1), so that
      many clients do not retry in lockstep.
    - ``status_codes``: responses retried (default :data:`RETRY_STATUS_CODES`).
    - ``max_retry_after``: the longest ``Retry-After`` on 429/503 we wait for
      (default 60 s); a longer one ends the retries and returns that response.
    - ``sleep``: the function that waits (default ``time.sleep``).
    """

    attempts: int = 3
    backoff: float = 1.0
    factor: float = 3.0
    jitter: float = 0.1
    status_codes: frozenset[int] = RETRY_STATUS_CODES
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = dataclasses.field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("Retry.attempts must be at least 1")
        if self.backoff < 0 or self.factor < 1 or self.jitter < 0 or self.max_retry_after < 0:
            raise ValueError("Retry needs backoff >= 0, factor >= 1, jitter >= 0")

    def delay(
        self,
        attempt: int,
        response: requests.Response | None = None,
        *,
        retry_after: float | None = None,
    ) -> float | None:
        """Return how long to wait before try ``attempt + 1`` (``attempt`` counts from 1).

        ``Retry-After`` of a 429 or 503 ``response`` (seconds or an HTTP date), or
        ``retry_after`` seconds (default None; a :class:`RegistryError`'s
        ``retry_after``), wins over the backoff; None means "do not retry" (it exceeds
        ``max_retry_after``).
        """
        if response is not None and response.status_code in RETRY_AFTER_STATUS_CODES:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        base = self.backoff * self.factor ** (attempt - 1)
        return base + base * self.jitter * random.random()


def _retryable_error(exc: requests.RequestException) -> bool:
    # A failed certificate check or a malformed URL will fail the same way again,
    # and so will a refused port or an unknown host (ggcr does not retry them).
    if isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.InvalidURL)):
        return False
    if is_permanent_connection_error(exc):
        return False
    return isinstance(
        exc,
        (
            requests.ConnectionError,  # reset, broken pipe, DNS timeouts
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,  # connection dropped mid-body
            requests.exceptions.ContentDecodingError,
        ),
    )


class RetryLayer(Layer):
    """Repeats requests that failed on the connection or with a retryable status."""

    def __init__(self, inner: BaseAdapter, policy: Retry) -> None:
        super().__init__(inner)
        self.policy = policy

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send, retrying as the policy says; the last response or error is returned/raised."""
        policy = self.policy
        attempts = 1 if _no_retry.get() else policy.attempts
        position = body_position(request)
        attempt = 1
        while True:
            wait: float | None
            try:
                response = self.inner.send(request, stream, timeout, verify, cert, proxies)
            except requests.RequestException as exc:
                # A one-shot body cannot be sent twice: the caller sees the failure.
                if (
                    attempt >= attempts
                    or not _retryable_error(exc)
                    or not rewind(request, position)
                ):
                    raise
                wait = policy.delay(attempt)
            else:
                if response.status_code not in policy.status_codes or attempt >= attempts:
                    return response
                wait = policy.delay(attempt, response)
                if wait is None or not rewind(request, position):
                    return response
                response.close()
            policy.sleep(wait or 0.0)
            attempt += 1
