"""The HTTP transport every registry request goes through.

:func:`new` pings a registry's ``/v2/`` and returns a :class:`requests.Session` whose
requests pass through a stack of small layers: scheme, basic or bearer auth (token
exchange, refresh, scope escalation), retry with backoff, user agent and a
redacting debug log. Registry failures surface as :class:`RegistryError`.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
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
        MAX_RESPONSE_BODY,
        TEMPORARY_ERROR_CODES,
        TEMPORARY_STATUS_CODES,
        Diagnostic,
        RegistryError,
        ResponseTooLargeError,
        TransportError,
        check_response,
        error_from_response,
        parse_diagnostics,
    )
    from containerregistry.transport._layer import Layer
    from containerregistry.transport._logger import LoggerLayer, redacting
    from containerregistry.transport._ping import PingResult, ping, ping_probe
    from containerregistry.transport._redact import redact_headers, redact_url
    from containerregistry.transport._retry import (
        RETRY_LOGGER,
        RETRY_STATUS_CODES,
        Retry,
        RetryLayer,
        no_retry,
    )
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

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "authorization_header": "_basic",
    "BasicLayer": "_basic",
    "bearer_challenges": "_bearer",
    "BearerLayer": "_bearer",
    "canonical_address": "_scheme",
    "Challenge": "_challenge",
    "check_response": "_errors",
    "CLIENT_ID": "_bearer",
    "DEFAULT_TIMEOUT": "_session",
    "DEFAULT_USER_AGENT": "_useragent",
    "Diagnostic": "_errors",
    "error_from_response": "_errors",
    "fetch_token": "_bearer",
    "Layer": "_layer",
    "LoggerLayer": "_logger",
    "matches_host": "_scheme",
    "MAX_ERROR_BODY": "_errors",
    "MAX_RESPONSE_BODY": "_errors",
    "new": "_session",
    "no_retry": "_retry",
    "parse_challenges": "_challenge",
    "parse_diagnostics": "_errors",
    "pick": "_challenge",
    "ping": "_ping",
    "ping_probe": "_ping",
    "PingResult": "_ping",
    "redact_headers": "_redact",
    "redact_url": "_redact",
    "redacting": "_logger",
    "Registry": "_session",
    "RegistryError": "_errors",
    "RegistrySession": "_session",
    "ResponseTooLargeError": "_errors",
    "Retry": "_retry",
    "RETRY_LOGGER": "_retry",
    "RETRY_STATUS_CODES": "_retry",
    "RetryLayer": "_retry",
    "SchemeLayer": "_scheme",
    "TEMPORARY_ERROR_CODES": "_errors",
    "TEMPORARY_STATUS_CODES": "_errors",
    "Token": "_bearer",
    "TransportError": "_errors",
    "user_agent": "_useragent",
    "UserAgentLayer": "_useragent",
    "validate_realm": "_bearer",
    "VERSION": "_useragent",
}

__all__ = [
    "CLIENT_ID",
    "DEFAULT_TIMEOUT",
    "DEFAULT_USER_AGENT",
    "MAX_ERROR_BODY",
    "MAX_RESPONSE_BODY",
    "RETRY_LOGGER",
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
    "ResponseTooLargeError",
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
    "ping_probe",
    "redact_headers",
    "redact_url",
    "redacting",
    "user_agent",
    "validate_realm",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
