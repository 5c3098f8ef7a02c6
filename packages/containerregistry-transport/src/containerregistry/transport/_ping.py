"""Pinging ``/v2/``: which scheme answers, and what authentication it asks for."""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Protocol

import requests

from containerregistry.lazy import record
from containerregistry.transport._errors import (
    UNTRUSTED_HINT,
    TransportError,
    cannot_connect,
    describe_failure,
    error_from_response,
    tries_of,
    unreachable,
)
from containerregistry.transport._redact import scrub_text

if TYPE_CHECKING:
    # Loaded on a 401 only: an anonymous registry answers 200.
    from containerregistry.transport._challenge import Challenge


class PingTarget(Protocol):
    """What the ping needs of a registry (:class:`containerregistry.name.Registry` fits)."""

    @property
    def registry_str(self) -> str:
        """The host and optional port, e.g. ``localhost:5000``."""
        ...

    @property
    def scheme(self) -> str:
        """``http`` when the name rules allow plain http (insecure, localhost, RFC 1918)."""
        ...


@record
class PingResult:
    """The outcome of a ping.

    ``scheme`` is the one that answered; ``challenge`` the chosen challenge (None when
    the registry needs no authentication); ``challenges`` every one it offered.
    """

    scheme: str
    challenge: Challenge | None
    challenges: tuple[Challenge, ...] = ()


def ping(registry: PingTarget, session: requests.Session) -> PingResult:
    """GET ``/v2/`` over https, then over http if the registry's name allows it.

    200 means no authentication; 401 carries the challenges. Any other status raises
    :class:`~containerregistry.transport.RegistryError`, except after the https
    certificate failed verification: then :class:`~containerregistry.transport.TransportError`
    names that failure first. When no scheme connects, it names each failure, in
    one short line when each was the same :func:`~._errors.unreachable` reason
    ("cannot connect to HOST: connection refused (is the registry running and the
    port right?)").
    """
    schemes = ["https", "http"] if registry.scheme == "http" else ["https"]
    failures: list[str] = []
    # Why each scheme could not connect at all (None: something else went wrong).
    reasons: list[str | None] = []
    tries = 1
    tls_failed = False  # an https server answered with a certificate we do not trust
    for scheme in schemes:
        url = f"{scheme}://{registry.registry_str}/v2/"
        if scheme == "https" and "http" in schemes and _direct(session, url):
            plain = ping_probe(registry.registry_str)
            if plain == REFUSED:
                # Nothing listens for https; the http ping gets the retries.
                failures.append(f"https: GET {url}: ConnectionError: {_REFUSED_TEXT}")
                reasons.append("connection refused")
                continue
            if plain is not None:
                # No TLS on that port: the https ping would only fail, after loading
                # the CA bundle (50 ms) for nothing. Go straight to http.
                failures.append(f"https: GET {url}: the server does not speak TLS ({plain})")
                reasons.append(None)
                continue
        try:
            response = session.get(url, allow_redirects=True)
        except (requests.RequestException, TransportError) as exc:
            # The stack's TransportError adds a hint; the summary below gives one.
            cause = exc.__cause__ if isinstance(exc, TransportError) else exc
            what = describe_failure(cause) if cause is not None else str(exc)
            failures.append(f"{scheme}: GET {url}: {scrub_text(what)}")
            reasons.append(unreachable(cause) if cause is not None else None)
            tries = max(tries, tries_of(cause))
            tls_failed = tls_failed or certificate_rejected(exc)
            continue
        with response:
            if response.status_code == 200:
                return PingResult(scheme=scheme, challenge=None)
            if response.status_code == 401:
                from containerregistry.transport._challenge import (
                    Challenge,
                    parse_challenges,
                    pick,
                )

                header = response.headers.get("WWW-Authenticate", "")
                challenges = tuple(parse_challenges([header])) if header else ()
                if not challenges:
                    # A 401 that names no scheme: basic is the only thing left to try.
                    return PingResult(scheme=scheme, challenge=Challenge("basic"))
                chosen = pick(challenges)
                if chosen is None:
                    raise TransportError(
                        f"{registry.registry_str} asks for authentication schemes we do not "
                        f"support ({', '.join(c.scheme for c in challenges)}); "
                        "only basic and bearer are supported"
                    )
                return PingResult(scheme=scheme, challenge=chosen, challenges=challenges)
            error = error_from_response(response)
            if tls_failed:
                # An https server refuses plain http (Go's answers 400): the certificate
                # problem of the https attempt is the one the user must see.
                raise TransportError(
                    f"cannot reach registry {registry.registry_str} "
                    f"({'; '.join(failures)}; {scheme}: {error}); {UNTRUSTED_HINT}"
                ) from error
            raise error
    if len(set(reasons)) == 1 and reasons[0] is not None:
        raise TransportError(cannot_connect(registry.registry_str, reasons[0], tries))
    hint = UNTRUSTED_HINT if tls_failed else "check the name, the network and TLS settings"
    raise TransportError(
        f"cannot reach registry {registry.registry_str} ({'; '.join(failures)}); {hint}"
    )


#: OpenSSL's reasons for a handshake whose answer was not TLS at all (plain http).
_PLAINTEXT_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST"}
)
#: What :func:`ping_probe` answers when nothing listens on the port.
REFUSED = "connection refused"
#: How a refused connection reads in requests' words.
_REFUSED_TEXT = str(ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED)))
#: How long the TLS probe waits to connect and for the server's first answer.
PROBE_TIMEOUT = 5.0


def ping_probe(registry_str: str, timeout: float = PROBE_TIMEOUT) -> str | None:
    """OpenSSL's reason when ``host[:port]`` answers a TLS hello in plain text, else None.

    :data:`REFUSED` when nothing listens there. A handshake that verifies nothing,
    only to tell whether the port speaks TLS: nothing is sent but the hello and
    nothing received is used. None (go on with the https ping) when it completes,
    fails for a TLS reason (a server that wants a client certificate), or cannot
    connect for another reason.
    """
    import socket
    import ssl
    from urllib.parse import urlsplit

    parts = urlsplit(f"https://{registry_str}")
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host),
        ):
            return None
    except ssl.SSLError as exc:
        reason = str(exc.reason or "")
        return reason if reason in _PLAINTEXT_REASONS else None
    except ConnectionRefusedError:
        return REFUSED
    except OSError:
        return None


def _direct(session: requests.Session, url: str) -> bool:
    """Whether ``url`` is reached without a proxy (a probe would bypass the proxy)."""
    from requests.utils import select_proxy

    proxies = session.merge_environment_settings(url, {}, False, None, None)["proxies"]
    return select_proxy(url, proxies) is None


def certificate_rejected(exc: Exception) -> bool:
    """Whether ``exc`` is a TLS server's certificate failing verification.

    Not any TLS error: https to a plain-http registry fails the handshake too
    (``WRONG_VERSION_NUMBER``), and there the http answer is the real one.
    """
    return "certificate verify failed" in str(exc).lower()
