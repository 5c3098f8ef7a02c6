"""Structured errors of the transport and of registry responses."""

from __future__ import annotations

import email.utils
import json
import time
from http import HTTPStatus
from typing import Any

import requests

from containerregistry.errors import ContainerRegistryError
from containerregistry.lazy import record
from containerregistry.transport._redact import redact_url

#: The most of an error body we read: registries answer errors in a few hundred
#: bytes, and a misbehaving proxy must not make us buffer a blob.
MAX_ERROR_BODY = 64 * 1024

#: The most of any non-streamed answer we read (manifests, tag lists, tokens, errors):
#: real ones are kilobytes to a few megabytes, and a hostile registry must not make
#: us buffer a blob (ggcr's manifest limit).
MAX_RESPONSE_BODY = 100 * 1024 * 1024

#: Status codes for which a repeated request may succeed (ggcr's ``temporaryStatusCodes``).
#: 499 and 522 are retried by the retry layer but are not "temporary" here, as in ggcr.
TEMPORARY_STATUS_CODES = frozenset({408, 429, 500, 502, 503, 504})

#: OCI / distribution error codes that mean "try again".
TEMPORARY_ERROR_CODES = frozenset(
    {"BLOB_UPLOAD_INVALID", "TOOMANYREQUESTS", "UNKNOWN", "UNAVAILABLE"}
)

#: Status codes whose ``Retry-After`` header is honoured (elsewhere it is ignored).
RETRY_AFTER_STATUS_CODES = frozenset({429, 503})


class TransportError(ContainerRegistryError):
    """A request could not be completed (connection, TLS, auth handshake, protocol).

    ``method`` and ``url`` (already redacted) name the request when one is known.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ResponseTooLargeError(requests.RequestException):
    """An answer announced or sent more than :data:`MAX_RESPONSE_BODY` bytes.

    Raised inside the stack (so the session turns it into a :class:`TransportError`
    naming the request); never retried.
    """


def tries_of(thing: object) -> int:
    """How many times the request behind a response or an error was sent (default 1)."""
    tries = getattr(thing, "tries", 1)
    return tries if isinstance(tries, int) and tries > 0 else 1


def after_tries(tries: int) -> str:
    """`` (after N tries)`` when a request was sent more than once, else nothing."""
    return f" (after {tries} tries)" if tries > 1 else ""


@record
class Diagnostic:
    """One entry of a registry's ``{"errors": [...]}`` body."""

    code: str
    message: str = ""
    detail: Any = None

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        if self.detail not in (None, "", {}, []):
            detail = self.detail
            text += f"; {detail if isinstance(detail, str) else json.dumps(detail, sort_keys=True)}"
        return text


class RegistryError(TransportError):
    """A registry answered with an unexpected status.

    ``status`` is the HTTP status, ``errors`` the parsed OCI diagnostics (possibly
    empty), ``method`` and ``url`` the request (the URL redacted). ``retry_after`` is
    the wait in seconds a 429 or 503 asked for in ``Retry-After`` (default None: no
    such header, or another status); a caller that repeats the request bounds it with
    :meth:`Retry.delay <containerregistry.transport.Retry.delay>`.
    """

    def __init__(
        self,
        status: int,
        *,
        errors: tuple[Diagnostic, ...] = (),
        method: str = "",
        url: str = "",
        body: str = "",
        retry_after: float | None = None,
        tries: int = 1,
    ) -> None:
        self.status = status
        self.errors = errors
        self.retry_after = retry_after
        self.tries = tries
        self._body = body
        super().__init__(self._describe(method, url) + after_tries(tries), method=method, url=url)

    @property
    def codes(self) -> tuple[str, ...]:
        """The OCI error codes, in the order the registry listed them."""
        return tuple(d.code for d in self.errors)

    @property
    def temporary(self) -> bool:
        """Whether repeating the request may succeed.

        With diagnostics: every code is in :data:`TEMPORARY_ERROR_CODES`. Without:
        the status is in :data:`TEMPORARY_STATUS_CODES`.
        """
        if self.errors:
            return all(d.code in TEMPORARY_ERROR_CODES for d in self.errors)
        return self.status in TEMPORARY_STATUS_CODES

    def _describe(self, method: str, url: str) -> str:
        prefix = f"{method} {url}: " if method else ""
        try:
            reason = HTTPStatus(self.status).phrase
        except ValueError:
            reason = ""
        if len(self.errors) == 1:
            return prefix + str(self.errors[0])
        if self.errors:
            return prefix + "multiple errors returned: " + "; ".join(map(str, self.errors))
        text = f"unexpected status code {self.status} {reason}".rstrip()
        if self._body:
            return f"{prefix}{text}: {self._body}"
        if method == "HEAD":
            return f"{prefix}{text} (HEAD responses have no body, use GET for details)"
        return prefix + text


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date).

    None when ``value`` is empty or neither form; a date in the past gives 0.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_diagnostics(body: bytes) -> tuple[Diagnostic, ...]:
    """Parse ``{"errors": [{"code", "message", "detail"}]}``; anything else gives ``()``."""
    try:
        data = json.loads(body)
    except ValueError:
        return ()
    if not isinstance(data, dict) or not isinstance(data.get("errors"), list):
        return ()
    out = []
    for item in data["errors"]:
        if isinstance(item, dict) and isinstance(item.get("code"), str):
            message = item.get("message")
            out.append(
                Diagnostic(
                    code=item["code"],
                    message=message if isinstance(message, str) else "",
                    detail=item.get("detail"),
                )
            )
    return tuple(out)


def error_from_response(response: requests.Response) -> RegistryError:
    """Build a :class:`RegistryError` from ``response``, reading at most 64 KiB of body."""
    request = response.request
    method = str(request.method or "") if request is not None else ""
    url = redact_url(str(request.url or "")) if request is not None else ""
    body = b""
    if method != "HEAD":
        try:
            body = _read_limited(response)
        except requests.RequestException:
            body = b""
    errors = parse_diagnostics(body)
    # A raw body is shown only when it is short text that is not a structured error;
    # HTML error pages from proxies are cut to keep messages readable.
    text = "" if errors else body.decode("utf-8", "replace").strip()[:512]
    retry_after = (
        parse_retry_after(response.headers.get("Retry-After"))
        if response.status_code in RETRY_AFTER_STATUS_CODES
        else None
    )
    return RegistryError(
        response.status_code,
        errors=errors,
        method=method,
        url=url,
        body=text,
        retry_after=retry_after,
        tries=tries_of(response),
    )


def _read_limited(response: requests.Response) -> bytes:
    if response.raw is None or getattr(response, "_content_consumed", False):
        return response.content[:MAX_ERROR_BODY] if response.content else b""
    chunks = []
    remaining = MAX_ERROR_BODY
    for chunk in response.iter_content(8192):
        chunks.append(chunk[:remaining])
        remaining -= len(chunks[-1])
        if remaining <= 0:
            break
    response.close()
    return b"".join(chunks)


def check_response(response: requests.Response, *codes: int) -> requests.Response:
    """Return ``response`` if its status is one of ``codes``; else raise :class:`RegistryError`."""
    if response.status_code in codes:
        return response
    raise error_from_response(response)


def root_cause(exc: BaseException) -> BaseException:
    """The innermost error under requests' and urllib3's wrappers of a failed request.

    ``ConnectionError(MaxRetryError(reason=NewConnectionError(...)))`` hides the
    ``ConnectionRefusedError`` the socket raised; this follows ``reason``, the
    cause and the context down to it (``exc`` itself when nothing is below).
    """
    seen = {id(exc)}
    current = exc
    while True:
        below = None
        for candidate in (
            getattr(current, "reason", None),
            current.__cause__,
            current.__context__,
            *(arg for arg in current.args if isinstance(arg, BaseException)),
        ):
            if isinstance(candidate, BaseException) and id(candidate) not in seen:
                below = candidate
                break
        if below is None:
            return current
        seen.add(id(below))
        current = below


def is_permanent_connection_error(exc: BaseException) -> bool:
    """Whether trying again cannot help: the host name is unknown.

    A refused connection is not permanent: a registry restarting behind its load
    balancer refuses for a moment, and the retry budget bounds the wait.
    """
    import socket

    cause = root_cause(exc)
    return isinstance(cause, socket.gaierror) and cause.errno in (
        socket.EAI_NONAME,
        getattr(socket, "EAI_NODATA", socket.EAI_NONAME),
    )


def is_refused(exc: BaseException) -> bool:
    """Whether the request failed because nothing listens on the port."""
    return isinstance(root_cause(exc), ConnectionRefusedError)


#: What to do when a registry's certificate fails verification.
UNTRUSTED_HINT = (
    "trust its CA with SSL_CERT_FILE (or REQUESTS_CA_BUNDLE), or use --insecure if you "
    "trust the registry"
)

#: What to check when a host cannot be reached at all, by :func:`unreachable` reason.
UNREACHABLE_HINTS = {
    "connection refused": "is the registry running and the port right?",
    "unknown host": "is the registry's name right?",
    "no route to host": "is the address right and the network up?",
    "network is unreachable": "is the network up?",
}


def unreachable(exc: BaseException) -> str | None:
    """Why no connection to the host was made at all, or None for any other failure.

    ``connection refused`` (nothing listens on the port), ``unknown host`` (the
    name does not resolve), ``no route to host`` or ``network is unreachable``:
    failures that come before a single byte is exchanged, and that waiting a few
    seconds will not change unless the host has answered before (a restart). A
    failure to reach a proxy is not one of them (None): the message must name the
    proxy, not the registry.
    """
    import errno

    if isinstance(exc, requests.exceptions.ProxyError):
        return None
    if is_permanent_connection_error(exc):
        return "unknown host"
    cause = root_cause(exc)
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, OSError) and cause.errno == errno.EHOSTUNREACH:
        return "no route to host"
    if isinstance(cause, OSError) and cause.errno == errno.ENETUNREACH:
        return "network is unreachable"
    return None


def cannot_connect(address: str, reason: str, tries: int = 1) -> str:
    """``cannot connect to ADDRESS: REASON (HINT)``: one line for an unreachable host.

    ``reason`` is an :func:`unreachable` answer; ``tries`` (default 1) above one is
    said too: ``(after 5 tries; is the registry running and the port right?)``.
    """
    hint = UNREACHABLE_HINTS.get(reason, "check the name and the network")
    tried = f"after {tries} tries; " if tries > 1 else ""
    return f"cannot connect to {address}: {reason} ({tried}{hint})"


def describe_failure(exc: BaseException) -> str:
    """``<type>: <what went wrong>`` for a failed request, without urllib3's wrapping.

    ``ConnectionError: [Errno 111] Connection refused`` rather than the pool, retry
    count and class names urllib3 puts around it.
    """
    cause = root_cause(exc)
    detail = str(cause) if isinstance(cause, OSError) and cause is not exc else str(exc)
    return f"{type(exc).__name__}: {detail or type(cause).__name__}"
