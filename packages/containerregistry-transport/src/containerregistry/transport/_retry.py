"""The retry layer: one budget per request, exponential backoff with full jitter,
``Retry-After``, cut-short bodies, and a way to opt out.

Every request sent through a registry session passes here, the ping to ``/v2/`` and
the token fetch included. Callers above keep only what is theirs: where an upload
stands, how to reopen a layer, where a broken download goes on. They reuse the
same :class:`Retry` policy for those decisions, so one set of knobs governs them all.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter

from containerregistry import logs
from containerregistry.lazy import record
from containerregistry.transport._contact import address_of, has_answered, record_answer
from containerregistry.transport._errors import (
    MAX_RESPONSE_BODY,
    RETRY_AFTER_STATUS_CODES,
    ResponseTooLargeError,
    describe_failure,
    is_permanent_connection_error,
    parse_retry_after,
    root_cause,
    unreachable,
)
from containerregistry.transport._layer import Cert, Layer, Timeout, body_position, rewind
from containerregistry.transport._redact import scrub_text

#: The status codes retried by default:
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

#: Where each wait before another try is told, one INFO line each ("connection to
#: HOST refused, retrying in 2.1 s (try 2 of 5)"): the CLIs show it on a terminal,
#: and everywhere with ``--verbose``. A rate limit is told on ``logs.progress``.
RETRY_LOGGER = "containerregistry.transport.retry"
_log = logging.getLogger(RETRY_LOGGER)
_log.addHandler(logging.NullHandler())

_no_retry: contextvars.ContextVar[bool] = contextvars.ContextVar("no_retry", default=False)


@contextlib.contextmanager
def no_retry() -> Iterator[None]:
    """Within this block, requests on this thread are sent once and never retried.

    For requests that must not be repeated blindly (a blob ``PATCH`` of a stream); the
    caller decides what to do next, with the same :class:`Retry` policy.
    """
    token = _no_retry.set(True)
    try:
        yield
    finally:
        _no_retry.reset(token)


@record
class Retry:
    """How failed requests are repeated. Each request has its own budget.

    - ``attempts``: tries of one request, the first included (default 5); 1 disables
      retries.
    - ``backoff``: the longest first wait in seconds (default 1.0); the ceiling
      grows ``factor`` times (default 2.0) per try and stops at ``max_wait``
      (default 30 s): 1, 2, 4, 8 s for the five default tries.
    - ``jitter``: the share of each wait drawn at random (default 1.0, "full
      jitter": a wait is uniform between 0 and its ceiling, so that many clients
      do not retry in lockstep); 0 waits exactly the ceiling.
    - ``status_codes``: responses retried (default :data:`RETRY_STATUS_CODES`).
    - ``max_retry_after``: the longest ``Retry-After`` of a 429 or 503 waited for
      (default 60 s, beyond ``max_wait``: the registry knows when it will answer); a
      longer one ends the retries at once and returns that response.
    - ``sleep``: the function that waits (default ``time.sleep``).

    Whatever the policy, a failure that waiting cannot change is not retried: an
    unknown host, a certificate that fails verification, and a connection refused
    (or without a route) by a host that has not answered once in this process (see
    :mod:`._contact`); after its first answer a host's refusals get the whole budget.
    """

    attempts: int = 5
    backoff: float = 1.0
    factor: float = 2.0
    jitter: float = 1.0
    max_wait: float = 30.0
    status_codes: frozenset[int] = RETRY_STATUS_CODES
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = dataclasses.field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise ValueError(f"Retry.attempts must be an integer, got {self.attempts!r}")
        if self.attempts < 1:
            raise ValueError("Retry.attempts must be at least 1")
        if self.backoff < 0 or self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ValueError("Retry needs backoff >= 0, factor >= 1 and 0 <= jitter <= 1")
        if self.max_wait < 0 or self.max_retry_after < 0:
            raise ValueError("Retry needs max_wait >= 0 and max_retry_after >= 0")

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
        ceiling = min(self.max_wait, self.backoff * self.factor ** (attempt - 1))
        return ceiling - ceiling * self.jitter * random.random()

    def give_up(self, tries: int) -> bool:
        """Whether ``tries`` failed tries of one request have spent its budget."""
        return tries >= self.attempts

    def wait(
        self,
        seconds: float,
        *,
        host: str = "",
        status: int | None = None,
        reason: str = "",
        attempt: int = 0,
    ) -> None:
        """Sleep ``seconds`` before another try, after saying why in one log line.

        A 429 from ``host`` is said on the progress log as "rate limited by HOST,
        retrying in N s" (the CLIs print it on stderr). Any other wait is said on the
        retry log (:data:`RETRY_LOGGER`, shown by the CLIs on a terminal) as
        "REASON, retrying in N s (try ATTEMPT of ATTEMPTS)": ``reason`` (default: from
        ``status`` and ``host``, e.g. "HOST answered 503") names what failed and
        ``attempt`` (default 0: not said) the try about to be made. Nothing is said
        when neither ``reason`` nor ``host`` is given. ``host`` must hold no user info.
        """
        if status == 429 and host:
            logs.progress.info("rate limited by %s, retrying in %s", host, _seconds(seconds))
        else:
            if not reason and host:
                reason = f"{host} answered {status}" if status else f"request to {host} failed"
            if reason:
                of = f" (try {attempt} of {self.attempts})" if attempt else ""
                _log.info("%s, retrying in %s%s", reason, _seconds(seconds), of)
        self.sleep(max(seconds, 0.0))


def _seconds(seconds: float) -> str:
    """A wait as people read it: "12 s", "0 s", "2.5 s" (tenths below 10 s only)."""
    if seconds == int(seconds) or seconds >= 10:
        return f"{seconds:.0f} s"
    return f"{seconds:.1f} s"


def what_failed(exc: BaseException, host: str) -> str:
    """What a failed request ran into, in a few words naming ``host``.

    "connection to HOST refused", "connection to HOST reset", "the answer from HOST
    was cut short", "HOST did not answer in time", else the failure itself (its URLs
    redacted). ``host`` must hold no user info.
    """
    reason = unreachable(exc)
    if reason == "connection refused":
        return f"connection to {host} refused"
    if reason is not None:
        return f"{host}: {reason}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"the answer from {host} was cut short"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connecting to {host} timed out"
    if isinstance(exc, requests.Timeout):
        return f"{host} did not answer in time"
    if isinstance(root_cause(exc), (ConnectionResetError, ConnectionAbortedError)):
        return f"connection to {host} reset"
    return f"request to {host} failed ({scrub_text(describe_failure(exc))})"


def _retryable_error(exc: requests.RequestException, address: str) -> bool:
    # A failed certificate check or a malformed URL will fail the same way again,
    # and so will a host name that does not resolve. A refused connection (or no
    # route) is tried again only from a host that has answered before: a registry
    # behind a load balancer restarts. One that never answered is not listening
    # there, and will not be in the seconds a retry waits (see _contact).
    if isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.InvalidURL)):
        return False
    if isinstance(exc, ResponseTooLargeError):
        return False
    if is_permanent_connection_error(exc):
        return False
    if not has_answered(address) and unreachable(exc) is not None:
        return False
    return isinstance(
        exc,
        (
            requests.ConnectionError,  # refused, reset, broken pipe, DNS timeouts
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,  # connection dropped mid-body
            requests.exceptions.ContentDecodingError,
        ),
    )


def _read_body(response: requests.Response, limit: int) -> None:
    """Read a whole (non-streamed) body now, inside the retry loop, at most ``limit`` bytes.

    requests would read it after the adapter returns, where a body cut short could no
    longer be retried (and a hostile registry could make us buffer anything).
    """
    if getattr(response, "_content_consumed", False) or response.raw is None:
        return
    declared = response.headers.get("Content-Length", "")
    method = response.request.method if response.request is not None else "GET"
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise ResponseTooLargeError(
            f"the answer to {method} is {declared} bytes, over the {limit} bytes accepted",
            response=response,
        )
    import urllib3

    try:
        body = response.raw.read(limit + 1, decode_content=True) or b""
    except (urllib3.exceptions.ProtocolError, urllib3.exceptions.ReadTimeoutError) as exc:
        response.close()
        expected = f" of {declared}" if declared else ""
        got = getattr(response.raw, "_fp_bytes_read", None)
        at = f" after {got}{expected} bytes" if got is not None else ""
        raise requests.exceptions.ChunkedEncodingError(
            f"the answer was cut short{at}", response=response
        ) from exc
    if len(body) > limit:
        response.close()
        raise ResponseTooLargeError(
            f"the answer to {method} is over the {limit} bytes accepted", response=response
        )
    response._content = body  # what requests itself fills when it reads the body
    response._content_consumed = True  # type: ignore[attr-defined]
    response.raw.release_conn()


class RetryLayer(Layer):
    """Repeats requests that failed on the connection, were cut short or got a
    retryable status, each request within its own budget of the policy's tries."""

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
        """Send, retrying as the policy says; the last response or error is returned/raised.

        The number of tries made is set as ``tries`` on what comes back (response or
        error), so that a final error can say it. Every answer is recorded: its host
        has answered (see :mod:`._contact`).
        """
        policy = self.policy
        attempts = 1 if _no_retry.get() else policy.attempts
        position = body_position(request)
        url = str(request.url)
        host = urlsplit(url).netloc.rpartition("@")[2]  # never user:password
        address = address_of(url)
        attempt = 1
        while True:
            wait: float | None
            status: int | None = None
            try:
                response = self.inner.send(request, stream, timeout, verify, cert, proxies)
                record_answer(address)
                if not stream:
                    _read_body(response, MAX_RESPONSE_BODY)
            except requests.RequestException as exc:
                # A one-shot body cannot be sent twice: the caller sees the failure.
                if (
                    attempt >= attempts
                    or not _retryable_error(exc, address)
                    or not rewind(request, position)
                ):
                    exc.tries = attempt  # type: ignore[attr-defined]
                    raise
                wait = policy.delay(attempt)
                what = what_failed(exc, host)
            else:
                status = response.status_code
                if status not in policy.status_codes or attempt >= attempts:
                    response.tries = attempt  # type: ignore[attr-defined]
                    return response
                wait = policy.delay(attempt, response)
                if wait is None or not rewind(request, position):
                    response.tries = attempt  # type: ignore[attr-defined]
                    return response
                response.close()
                what = f"{host} answered {status} to {request.method}"
            policy.wait(wait or 0.0, host=host, status=status, reason=what, attempt=attempt + 1)
            attempt += 1
