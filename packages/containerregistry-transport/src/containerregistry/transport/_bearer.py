"""The bearer layer: token exchange, refresh, scope escalation, foreign challenges."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter

from containerregistry.authn import AuthConfig, Authenticator
from containerregistry.lazy import record
from containerregistry.transport._basic import authorization_header
from containerregistry.transport._challenge import Challenge, parse_challenges
from containerregistry.transport._errors import (
    MAX_ERROR_BODY,
    RegistryError,
    TransportError,
    check_response,
)
from containerregistry.transport._layer import Cert, Layer, Timeout, body_position, rewind
from containerregistry.transport._logger import redacting
from containerregistry.transport._redact import redact_url
from containerregistry.transport._scheme import (
    canonical_address,
    host_of,
    is_private_address,
    matches_host,
)

#: Our OAuth2 ``client_id`` (ggcr sends its own name the same way).
CLIENT_ID = "containerregistry-python"

#: Token server answers to the OAuth2 POST that mean "this server only does the GET
#: flow" (404 is what ggcr checks; 405 and 501 are how other servers say the same).
_OAUTH_FALLBACK_STATUSES = frozenset({404, 405, 501})

#: Redirects followed for a token request, each checked like the realm itself.
_MAX_TOKEN_REDIRECTS = 5

#: A token is renewed this long before its ``expires_in`` runs out (at most a tenth of
#: its life), so that a request is not sent with a token that dies on the way: a
#: streamed blob PATCH refused with 401 cannot be sent again.
_EXPIRY_MARGIN = 30.0

#: How to send one request below this layer: the session's proxies, TLS settings
#: and timeout for a URL (``verify``, ``cert``, ``proxies``, ``timeout``).
SendOptions = Callable[[str], Mapping[str, Any]]


@record
class Token:
    """A token server's answer (``token`` or ``access_token``; the others optional)."""

    token: str = dataclasses.field(default="", repr=False)
    access_token: str = dataclasses.field(default="", repr=False)
    refresh_token: str = dataclasses.field(default="", repr=False)
    expires_in: int = 0

    @property
    def value(self) -> str:
        """The bearer token to send: ``token``, else ``access_token``."""
        return self.token or self.access_token

    def to_json(self) -> bytes:
        """Return the JSON crane's ``auth token`` prints (Go field order and escaping)."""
        fields: dict[str, Any] = {"token": self.token}
        if self.access_token:
            fields["access_token"] = self.access_token
        fields["refresh_token"] = self.refresh_token
        fields["expires_in"] = self.expires_in
        text = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
        for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, escaped)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()

    @classmethod
    def from_json(cls, body: bytes) -> Token:
        """Parse a token response; raises :class:`TransportError` when it holds no token."""
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise TransportError("the token server's answer is not a JSON object")

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        expires = data.get("expires_in")
        token = cls(
            token=text("token"),
            access_token=text("access_token"),
            refresh_token=text("refresh_token"),
            expires_in=expires if isinstance(expires, int) else 0,
        )
        if not token.value:
            keys = ", ".join(sorted(str(k) for k in data)) or "none"
            raise TransportError(
                f"the token server's answer has no 'token' or 'access_token' (keys: {keys})"
            )
        return token


def validate_realm(realm: str, registry: str, *, allow_http: bool) -> str:
    """Return ``realm`` if credentials may be sent to it; raise :class:`TransportError` if not.

    It must be https (http only for an insecure or http-only registry), and must not
    be a loopback, private or link-local IP literal unless that is the registry's
    own host: a hostile registry must not aim our credentials at internal services.
    """
    try:
        parts = urlsplit(realm)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(
            f"the registry {registry} sent a token realm that is not an http(s) URL"
        )
    if parts.scheme == "http" and not allow_http:
        raise TransportError(
            f"the registry {registry} asks for tokens over plain http ({redact_url(realm)}); "
            "refusing to send credentials unencrypted (use --insecure if you trust it)"
        )
    if is_private_address(parts.hostname) and parts.hostname != host_of(registry):
        raise TransportError(
            f"the registry {registry} points its token realm at the private address "
            f"{parts.hostname}; refusing to send credentials there"
        )
    return realm


def fetch_token(
    inner: BaseAdapter,
    options: SendOptions,
    *,
    realm: str,
    service: str,
    scopes: Sequence[str],
    config: AuthConfig,
    registry: str,
    allow_http: bool,
    oauth_password: bool = False,
) -> Token:
    """Exchange ``config`` for a token at ``realm`` for ``scopes`` and ``service``.

    With an identity token (or ``oauth_password`` and a username/password) this is
    the OAuth2 POST (``grant_type=refresh_token`` or ``password``), falling back to
    the GET flow when the server answers 404, 405 or 501. Otherwise it is the GET
    flow (``?scope=..&service=..``) with basic credentials for the realm's host.
    """
    validate_realm(realm, registry, allow_http=allow_http)
    resolved = config.resolved()
    with redacting("token exchange"):
        if config.identity_token or (oauth_password and resolved.username and resolved.password):
            form = {"scope": " ".join(scopes), "client_id": CLIENT_ID}
            if service:
                form["service"] = service
            if config.identity_token:
                form.update(grant_type="refresh_token", refresh_token=config.identity_token)
            else:
                form.update(
                    grant_type="password",
                    username=resolved.username,
                    password=resolved.password,
                    access_type="offline",
                )
            try:
                return _token_request(
                    inner,
                    options,
                    "POST",
                    realm,
                    registry,
                    allow_http,
                    data=urlencode(form),
                    authorization=None,
                )
            except RegistryError as exc:
                if exc.status not in _OAUTH_FALLBACK_STATUSES:
                    raise
            # Not every token server speaks OAuth2: the GET flow works everywhere.
            resolved = AuthConfig(username=resolved.username, password=resolved.password)
        query = [("scope", s) for s in scopes]
        if service:
            query.append(("service", service))
        parts = urlsplit(realm)
        merged = "&".join(p for p in (parts.query, urlencode(query)) if p)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, merged, ""))
        basic = AuthConfig(username=resolved.username, password=resolved.password)
        return _token_request(
            inner,
            options,
            "GET",
            url,
            registry,
            allow_http,
            data=None,
            authorization=authorization_header(basic),
        )


def _token_request(
    inner: BaseAdapter,
    options: SendOptions,
    method: str,
    url: str,
    registry: str,
    allow_http: bool,
    *,
    data: str | None,
    authorization: str | None,
) -> Token:
    origin = canonical_address(urlsplit(url).netloc, urlsplit(url).scheme)
    for _ in range(_MAX_TOKEN_REDIRECTS + 1):
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        # Credentials go to the realm's host only, never to where it redirects.
        here = urlsplit(url)
        if authorization and canonical_address(here.netloc, here.scheme) == origin:
            headers["Authorization"] = authorization
        prepared = requests.Request(method, url, headers=headers, data=data).prepare()
        opts = options(url)
        try:
            response = inner.send(
                prepared,
                stream=True,
                timeout=opts.get("timeout"),
                verify=opts.get("verify", True),
                cert=opts.get("cert"),
                proxies=opts.get("proxies"),
            )
        except requests.RequestException as exc:
            raise TransportError(
                f"{method} {redact_url(url)}: cannot reach the token server: {type(exc).__name__}",
                method=method,
                url=redact_url(url),
            ) from None
        if response.is_redirect and response.headers.get("Location"):
            target = urljoin(url, response.headers["Location"])
            response.close()
            validate_realm(target, registry, allow_http=allow_http)
            url = target
            if response.status_code in (301, 302, 303) and method == "POST":
                method, data = "GET", None
            continue
        check_response(response, 200)
        body = _read_capped(response)
        return Token.from_json(body)
    raise TransportError(f"the token server for {registry} redirected too many times")


def _read_capped(response: requests.Response) -> bytes:
    chunks = []
    total = 0
    for chunk in response.iter_content(8192):
        total += len(chunk)
        if total > MAX_ERROR_BODY:
            response.close()
            raise TransportError("the token server's answer is larger than 64 KiB")
        chunks.append(chunk)
    return b"".join(chunks)


def bearer_challenges(response: requests.Response) -> list[Challenge]:
    """Return the bearer challenges of ``response`` (all ``WWW-Authenticate`` values)."""
    header = response.headers.get("WWW-Authenticate")
    if not header:
        return []
    return [c for c in parse_challenges([header]) if c.scheme == "bearer" and c.realm]


class BearerLayer(Layer):
    """Sends the registry's bearer token and keeps it valid.

    - Requests to the registry's host carry ``Authorization: Bearer <token>``;
      requests elsewhere carry none (or that host's own token, see below).
    - A 401 with a challenge from the registry (expired token, or a ``scope`` we do not
      hold) puts the new scopes first, exchanges again and resends once.
    - A 401 with a bearer challenge from another host (e.g. a blob store the registry
      redirected to) gets an anonymous token for that host and is resent once.
    - A refresh token returned by the server replaces the credentials for later
      exchanges.
    - A token whose ``expires_in`` has (nearly) passed is renewed before the next
      request to the registry is sent; a token without ``expires_in`` is kept until
      the registry refuses it (401 ``invalid_token``), then renewed and the request
      sent again, once.
    """

    def __init__(
        self,
        inner: BaseAdapter,
        *,
        registry: str,
        scheme: str,
        authenticator: Authenticator,
        challenge: Challenge,
        scopes: Sequence[str],
        allow_http: bool,
        options: SendOptions,
        oauth_password: bool = False,
    ) -> None:
        super().__init__(inner)
        self.registry = registry
        self.scheme = scheme
        self.authenticator = authenticator
        self.realm = challenge.realm
        self.service = challenge.service
        self.scopes: list[str] = list(dict.fromkeys(scopes))
        self.allow_http = allow_http
        self.options = options
        self.oauth_password = oauth_password
        self._lock = threading.Lock()
        self._token = ""
        self._refresh_token = ""
        self._foreign: dict[str, str] = {}
        #: ``time.monotonic()`` after which the token is renewed before use (None: never).
        self._renew_at: float | None = None
        self._renew_lock = threading.Lock()

    @property
    def token(self) -> str:
        """The bearer token currently sent to the registry (empty before the first)."""
        with self._lock:
            return self._token

    def exchange(self, scopes: Sequence[str] | None = None) -> Token:
        """Exchange credentials for a token for ``scopes`` (default: the layer's scopes).

        The token is returned, not installed; :meth:`refresh` installs one.
        """
        with self._lock:
            wanted = list(scopes) if scopes is not None else list(self.scopes)
            config = self._credentials()
        if config.registry_token:
            return Token(token=config.registry_token)
        return fetch_token(
            self.inner,
            self.options,
            realm=self.realm,
            service=self.service,
            scopes=wanted,
            config=config,
            registry=self.registry,
            allow_http=self.allow_http,
            oauth_password=self.oauth_password,
        )

    def _credentials(self) -> AuthConfig:
        if self._refresh_token:
            return AuthConfig(identity_token=self._refresh_token)
        return self.authenticator.authorization()

    def refresh(self) -> None:
        """Get a new token for the current scopes and send it from now on."""
        fetched_at = time.monotonic()
        token = self.exchange()
        with self._lock:
            self._token = token.value
            if token.refresh_token:
                self._refresh_token = token.refresh_token
            self._renew_at = (
                fetched_at + token.expires_in - min(_EXPIRY_MARGIN, token.expires_in / 10)
                if token.expires_in > 0
                else None
            )

    def _expired(self) -> bool:
        with self._lock:
            return self._renew_at is not None and time.monotonic() >= self._renew_at

    def _renew_if_expired(self) -> None:
        if not self._expired():
            return
        # One thread renews; the others wait for it and then use its token.
        with self._renew_lock:
            if self._expired():
                self.refresh()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send with the right token; on a fitting 401, get a better one and resend once."""
        url = str(request.url)
        ours = matches_host(url, self.registry, self.scheme)
        parts = urlsplit(url)
        foreign_key = canonical_address(parts.netloc, parts.scheme)
        position = body_position(request)
        if ours:
            self._renew_if_expired()
        used = self._authorize(request, ours, foreign_key)
        response = self.inner.send(request, stream, timeout, verify, cert, proxies)
        if response.status_code != 401:
            return response
        challenges = bearer_challenges(response)
        if not challenges:
            return response
        if not rewind(request, position):
            # A one-shot body cannot go again; the caller may, with the new token.
            if ours:
                self._escalate(challenges, used)
            return response
        if ours:
            self._escalate(challenges, used)
        else:
            challenge = challenges[0]
            token = fetch_token(
                self.inner,
                self.options,
                realm=challenge.realm,
                service=challenge.service,
                scopes=challenge.scopes,
                config=AuthConfig(),
                registry=parts.netloc,
                allow_http=self.allow_http,
            )
            with self._lock:
                self._foreign[foreign_key] = token.value
        response.close()
        self._authorize(request, ours, foreign_key)
        return self.inner.send(request, stream, timeout, verify, cert, proxies)

    def _authorize(self, request: requests.PreparedRequest, ours: bool, foreign_key: str) -> str:
        with self._lock:
            token = self._token if ours else self._foreign.get(foreign_key, "")
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        else:
            request.headers.pop("Authorization", None)
        return token

    def _escalate(self, challenges: list[Challenge], used: str) -> None:
        with self._lock:
            new = [s for c in challenges for s in c.scopes if s not in self.scopes]
            # Some registries read only the first scope of a token request, so the
            # scope the registry just asked for goes first.
            self.scopes = list(dict.fromkeys([*new, *self.scopes]))
            refreshed_meanwhile = self._token != used and not new
        if not refreshed_meanwhile:
            self.refresh()
