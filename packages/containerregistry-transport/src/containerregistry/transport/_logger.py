"""The debug-log layer: request and response dumps with every secret redacted."""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests

from containerregistry import logs
from containerregistry.transport._layer import Cert, Layer, Timeout
from containerregistry.transport._redact import REDACTED, redact_headers, redact_url, scrub_text

#: Bodies longer than this are summarised: manifests and errors fit, blobs do not.
_MAX_LOGGED_BODY = 8 * 1024

#: Content types whose bodies may be shown (after redaction); everything else, blobs
#: above all, is summarised by its size.
_TEXT_TYPES = ("json", "text/", "x-www-form-urlencoded")

#: JSON keys whose values are redacted wherever they appear in a body.
_SECRET_KEYS = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "password",
        "secret",
        "identitytoken",
        "registrytoken",
        "auth",
        "client_secret",
    }
)

#: Form fields shown as they are in a token request; any other value is redacted.
_SAFE_FORM_KEYS = frozenset({"grant_type", "service", "scope", "client_id", "access_type"})

_redaction: contextvars.ContextVar[str] = contextvars.ContextVar("redaction", default="")


@contextlib.contextmanager
def redacting(reason: str) -> Iterator[None]:
    """Within this block, request and response bodies are not logged at all.

    The token exchange uses it: its responses are credentials through and through.
    """
    token = _redaction.set(reason)
    try:
        yield
    finally:
        _redaction.reset(token)


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (REDACTED if str(k).lower() in _SECRET_KEYS and v else _scrub_json(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value


def describe_body(body: Any, content_type: str) -> str:
    """Return a loggable rendering of a body: redacted text, or a size summary."""
    if body is None or body == b"" or body == "":
        return ""
    reason = _redaction.get()
    if not isinstance(body, (bytes, str)):
        return "<streamed body not logged>"
    size = len(body)
    if reason:
        return f"<{size} bytes redacted: {reason}>"
    kind = content_type.lower()
    if not any(marker in kind for marker in _TEXT_TYPES) or size > _MAX_LOGGED_BODY:
        return f"<{size} bytes of {content_type or 'unknown type'} not logged>"
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if "x-www-form-urlencoded" in kind:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, v if k in _SAFE_FORM_KEYS else REDACTED) for k, v in pairs])
    if "json" in kind:
        try:
            return json.dumps(_scrub_json(json.loads(text)))
        except ValueError:
            pass
    return scrub_text(text)


def _headers(headers: Mapping[str, str]) -> str:
    return "".join(f"\n  {k}: {v}" for k, v in redact_headers(headers).items())


def _debug_enabled() -> bool:
    """Return whether a debug record would reach a real handler.

    ``logs.enabled`` asks the level of the logger that holds the handler; the
    question here is the level of ``containerregistry.debug`` itself.
    """
    logger: logging.Logger | None = logs.debug
    if not logs.debug.isEnabledFor(logging.DEBUG):
        return False
    while logger is not None:
        if any(not isinstance(h, logging.NullHandler) for h in logger.handlers):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


class LoggerLayer(Layer):
    """Logs each request and response to ``containerregistry.debug`` (when enabled).

    Authorization headers, tokens, passwords, refresh tokens, query credentials and
    blob bodies never reach the log.
    """

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Log, send, log."""
        if not _debug_enabled():
            return self.inner.send(request, stream, timeout, verify, cert, proxies)
        url = redact_url(str(request.url))
        body = describe_body(request.body, request.headers.get("Content-Type", ""))
        logs.debug.debug(
            "--> %s %s%s%s",
            request.method,
            url,
            _headers(request.headers),
            f"\n{body}" if body else "",
        )
        try:
            response = self.inner.send(request, stream, timeout, verify, cert, proxies)
        except requests.RequestException as exc:
            logs.debug.debug("<-- %s %s: %s", request.method, url, scrub_text(str(exc)))
            raise
        if stream:
            shown = "<streamed body not logged>"
        else:
            shown = describe_body(response.content, response.headers.get("Content-Type", ""))
        logs.debug.debug(
            "<-- %s %s %s%s%s",
            response.status_code,
            request.method,
            url,
            _headers(response.headers),
            f"\n{shown}" if shown else "",
        )
        return response
