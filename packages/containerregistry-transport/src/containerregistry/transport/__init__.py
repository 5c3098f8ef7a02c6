"""The HTTP transport every registry request goes through.

:func:`new` pings a registry's ``/v2/`` and returns a :class:`requests.Session` whose
requests pass through a stack of small layers: scheme, basic or bearer auth (token
exchange, refresh, scope escalation), retry with backoff, user agent and a
redacting debug log. Registry failures surface as :class:`RegistryError`.
"""

from containerregistry.transport._basic import BasicLayer, authorization_header
from containerregistry.transport._bearer import (
    CLIENT_ID,
    BearerLayer,
    Token,
    bearer_challenges,
    fetch_token,
    validate_realm,
)
from containerregistry.transport._challenge import Challenge, parse_challenges, pick
from containerregistry.transport._errors import (
    MAX_ERROR_BODY,
    TEMPORARY_ERROR_CODES,
    TEMPORARY_STATUS_CODES,
    Diagnostic,
    RegistryError,
    TransportError,
    check_response,
    error_from_response,
    parse_diagnostics,
)
from containerregistry.transport._layer import Layer
from containerregistry.transport._logger import LoggerLayer, redacting
from containerregistry.transport._ping import PingResult, ping
from containerregistry.transport._redact import redact_headers, redact_url
from containerregistry.transport._retry import RETRY_STATUS_CODES, Retry, RetryLayer, no_retry
from containerregistry.transport._scheme import SchemeLayer, canonical_address, matches_host
from containerregistry.transport._session import (
    DEFAULT_TIMEOUT,
    Registry,
    RegistrySession,
    new,
)
from containerregistry.transport._useragent import (
    DEFAULT_USER_AGENT,
    VERSION,
    UserAgentLayer,
    user_agent,
)

__all__ = [
    "CLIENT_ID",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "MAX_ERROR_BODY",
    "RETRY_STATUS_CODES",
    "TEMPORARY_ERROR_CODES",
    "TEMPORARY_STATUS_CODES",
    "VERSION",
    "BasicLayer",
    "BearerLayer",
    "Challenge",
    "Diagnostic",
    "Layer",
    "LoggerLayer",
    "PingResult",
    "Registry",
    "RegistryError",
    "RegistrySession",
    "Retry",
    "RetryLayer",
    "SchemeLayer",
    "Token",
    "TransportError",
    "UserAgentLayer",
    "authorization_header",
    "bearer_challenges",
    "canonical_address",
    "check_response",
    "error_from_response",
    "fetch_token",
    "matches_host",
    "new",
    "no_retry",
    "parse_challenges",
    "parse_diagnostics",
    "pick",
    "ping",
    "redact_headers",
    "redact_url",
    "redacting",
    "user_agent",
    "validate_realm",
]
