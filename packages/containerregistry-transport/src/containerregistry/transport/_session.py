"""Assembling the stack into a session for one registry.

The stack, from the outside in (each layer lives in its own module):

1. :class:`~._scheme.SchemeLayer`: registry URLs use the scheme the ping found;
2. :class:`~._bearer.BearerLayer` or :class:`~._basic.BasicLayer`: credentials for
   the registry's host only, token exchange, refresh and scope escalation;
3. :class:`~._retry.RetryLayer`: backoff, jitter, ``Retry-After``;
4. :class:`~._useragent.UserAgentLayer`;
5. :class:`~._logger.LoggerLayer`: what is logged is what goes on the wire;
6. :class:`_PoolAdapter`: urllib3 connection pools, TLS, default timeout.

Retry sits under auth so that a retried request keeps its token, and above the
user agent and the log so that every attempt is logged as sent. Token requests
are sent through layers 3-6, so they are retried, logged (redacted) and named.
"""

from __future__ import annotations

import os
import ssl
import threading
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter

from containerregistry.authn import ANONYMOUS, Authenticator
from containerregistry.transport._contact import address_of
from containerregistry.transport._errors import (
    UNTRUSTED_HINT,
    ResponseTooLargeError,
    TransportError,
    after_tries,
    cannot_connect,
    describe_failure,
    tries_of,
    unreachable,
)
from containerregistry.transport._layer import Cert, Layer, Timeout
from containerregistry.transport._logger import LoggerLayer
from containerregistry.transport._ping import PingResult, certificate_rejected, ping
from containerregistry.transport._redact import redact_url, scrub_text
from containerregistry.transport._retry import Retry, RetryLayer
from containerregistry.transport._scheme import SchemeLayer
from containerregistry.transport._useragent import UserAgentLayer, user_agent

if TYPE_CHECKING:
    # Loaded where a registry asks for credentials: an anonymous registry needs neither.
    from containerregistry.transport._bearer import BearerLayer, Token
    from containerregistry.transport._challenge import Challenge

#: Seconds to wait for a connection (ggcr's dial timeout) and between bytes read. A
#: registry assembling a large upload may be silent for a while before it answers.
DEFAULT_TIMEOUT = (30.0, 300.0)
#: Redirects followed for one request (requests' default of 30 only hides a loop).
MAX_REDIRECTS = 10


class Registry(Protocol):
    """What the transport needs of a registry (:class:`containerregistry.name.Registry`)."""

    @property
    def registry_str(self) -> str:
        """The host and optional port."""
        ...

    @property
    def scheme(self) -> str:
        """``http`` if the name rules allow plain http, else ``https``."""
        ...

    @property
    def insecure(self) -> bool:
        """Whether the user allowed plain http for it."""
        ...


_TLS_CONTEXTS: dict[tuple[Any, ...], ssl.SSLContext] = {}
_TLS_LOCK = threading.Lock()


def tls_context(verify: bool | str, cert: Cert = None) -> ssl.SSLContext:
    """The TLS context for ``verify`` and ``cert`` as requests reads them, made once.

    ``verify``: True trusts the CAs that ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` name
    when either is set (as Go's crane does, see :mod:`._trust`), else requests' CA
    bundle (certifi); a path trusts that file or directory (an explicit ``ca_bundle``,
    ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE``: they come first); False verifies
    nothing. ``cert``: a PEM with certificate and key, or ``(cert, key)``, for mTLS
    (default None). Contexts are shared by every session of the process: they are
    read-only once made.
    """
    from requests.utils import DEFAULT_CA_BUNDLE_PATH
    from urllib3.util.ssl_ import create_urllib3_context

    from containerregistry.transport._trust import environment_trust, load_trust

    trust = environment_trust() if verify is True else None
    key = (verify, cert if not isinstance(cert, list) else tuple(cert), trust)
    with _TLS_LOCK:
        context = _TLS_CONTEXTS.get(key)
        if context is not None:
            return context
        context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED if verify else ssl.CERT_NONE)
        if trust is not None:
            load_trust(context, *trust)
        elif verify:
            location = DEFAULT_CA_BUNDLE_PATH if verify is True else str(verify)
            if not os.path.exists(location):  # requests' words, before any connection
                raise OSError(
                    f"Could not find a suitable TLS CA certificate bundle, invalid path: {location}"
                )
            if os.path.isdir(location):
                context.load_verify_locations(capath=location)
            else:
                context.load_verify_locations(cafile=location)
        else:
            context.check_hostname = False
        if cert:
            files = tuple(cert) if isinstance(cert, (tuple, list)) else (cert,)
            try:
                context.load_cert_chain(*files)
            except OSError as exc:  # ssl.SSLError too: "PEM lib" says little
                shown = " and ".join(str(f) for f in files)
                raise OSError(
                    f"cannot load the TLS client certificate from {shown}: {exc}; give a PEM "
                    "certificate and its key (in one file or two)"
                ) from exc
        _TLS_CONTEXTS[key] = context
        return context


class _PoolAdapter(HTTPAdapter):
    """requests' adapter with a default timeout and our errors for failed connections."""

    def __init__(self, *, pool_size: int, timeout: Timeout) -> None:
        # One pool per host (registry, token server, blob store) and ``pool_size``
        # connections in each, so ``jobs`` concurrent blobs never wait for a socket.
        super().__init__(pool_connections=8, pool_maxsize=pool_size)
        self.default_timeout = timeout

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: bool | str, cert: Any = None
    ) -> Any:
        """requests' pool key, with one shared TLS context in place of CA and cert paths.

        urllib3 would otherwise make a context and read the CA bundle for every new
        connection (50 ms of CPU each here): an https ping, a token server, each
        of ``jobs`` blob connections.
        """
        host, pool = super().build_connection_pool_key_attributes(request, verify, cert)
        if host["scheme"] == "https":
            pool = {"cert_reqs": pool["cert_reqs"], "ssl_context": tls_context(verify, cert)}
        return host, pool

    def cert_verify(self, conn: Any, url: str, verify: bool | str, cert: Cert) -> None:
        """requests' checks of the paths; the pool's shared context then holds them."""
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
        if url.lower().startswith("https"):
            conn.ca_certs = conn.ca_cert_dir = conn.cert_file = conn.key_file = None

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send with the default timeout when none is given."""
        return super().send(
            request,
            stream,
            timeout if timeout is not None else self.default_timeout,
            verify,
            cert,
            proxies,
        )


class _Translate(Layer):
    """The outermost wrapper: requests' connection errors become :class:`TransportError`."""

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send; translate failures into errors that name the (redacted) request."""
        try:
            return self.inner.send(request, stream, timeout, verify, cert, proxies)
        except requests.RequestException as exc:
            method = str(request.method)
            url = redact_url(str(request.url))
            reason = unreachable(exc)
            if reason is not None:
                address = address_of(str(request.url))
                raise TransportError(
                    f"{method} {url}: {cannot_connect(address, reason, tries_of(exc))}",
                    method=method,
                    url=url,
                ) from exc
            if isinstance(exc, ResponseTooLargeError):
                hint = "the registry is misbehaving; report it to its operator"
            elif certificate_rejected(exc):
                hint = UNTRUSTED_HINT
            elif isinstance(exc, requests.exceptions.SSLError):
                hint = "check the TLS settings, or use --insecure if you trust the registry"
            else:
                hint = "check the network and that the registry is up"
            raise TransportError(
                f"{method} {url}: {scrub_text(describe_failure(exc))}"
                f"{after_tries(tries_of(exc))}; {hint}",
                method=method,
                url=url,
            ) from exc


class RegistrySession(requests.Session):
    """A :class:`requests.Session` that talks to one registry through the whole stack.

    ``registry`` is the registry, ``scheme`` the scheme its ping answered on,
    ``challenge`` the authentication it asked for (None: anonymous). Build one with
    :func:`new`.
    """

    def __init__(self, registry: Registry) -> None:
        super().__init__()
        self.registry = registry
        self.scheme = "https"
        self.challenge: Challenge | None = None
        self.bearer: BearerLayer | None = None
        self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.max_redirects = MAX_REDIRECTS

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """requests' send; a redirect loop becomes a :class:`TransportError` naming the URL."""
        try:
            return super().send(request, **kwargs)
        except requests.TooManyRedirects as exc:
            url = redact_url(str(request.url))
            raise TransportError(
                f"{request.method} {url}: the registry redirects in a loop (more than "
                f"{MAX_REDIRECTS} redirects); report it to the registry's operator",
                method=str(request.method),
                url=url,
            ) from exc

    def merge_environment_settings(
        self,
        url: str | bytes | None,
        proxies: Any,
        stream: Any,
        verify: Any,
        cert: Any,
    ) -> Any:
        """requests' merge, except that the session's own TLS choice wins.

        requests lets ``REQUESTS_CA_BUNDLE`` override ``session.verify`` (psf/requests
        #3829); an explicit ``ca_bundle`` or ``insecure`` must not be silently undone.
        The answer is kept per scheme and host for the session's life: requests would
        otherwise read every proxy variable of the environment again for each request,
        a fifth of the client's time when listing a thousand repositories.
        """
        key = (_origin(url), _frozen(proxies), stream, _frozen(verify), _frozen(cert))
        cached = self._environment.get(key)
        if cached is None:
            merged: dict[str, Any] = dict(
                super().merge_environment_settings(url, proxies, stream, verify, cert)
            )
            if verify is None and self.verify is not True:
                merged["verify"] = self.verify
            self._environment[key] = cached = merged
        return dict(cached)

    def url(self, path: str) -> str:
        """Return ``<scheme>://<registry><path>``; ``path`` starts with ``/v2/``."""
        return f"{self.scheme}://{self.registry.registry_str}{path}"

    def exchange(self, scopes: Sequence[str] | None = None) -> Token:
        """Return a fresh token for ``scopes`` (default: the session's scopes).

        For basic or anonymous registries there is no exchange: the token is empty.
        """
        if self.bearer is None:
            from containerregistry.transport._bearer import Token

            return Token()
        return self.bearer.exchange(scopes)

    def send_options(self, url: str) -> dict[str, Any]:
        """Return the proxies, TLS settings and timeout this session uses for ``url``."""
        settings = self.merge_environment_settings(url, {}, False, None, self.cert)
        return {
            "proxies": settings["proxies"],
            "verify": settings["verify"],
            "cert": settings["cert"],
            "timeout": None,
        }


def new(
    registry: Registry,
    authenticator: Authenticator = ANONYMOUS,
    *,
    scopes: Sequence[str] = (),
    insecure: bool = False,
    user_agent_product: str | None = None,
    ca_bundle: str | None = None,
    client_cert: str | tuple[str, str] | None = None,
    retry: Retry | None = None,
    pool_size: int = 4,
    timeout: Timeout = DEFAULT_TIMEOUT,
    headers: Mapping[str, str] | None = None,
    oauth_password: bool = False,
) -> RegistrySession:
    """Ping ``registry`` and return a session that authenticates, retries and logs.

    - ``authenticator``: whose credentials (default anonymous).
    - ``scopes``: the token scopes to ask for first, e.g.
      ``repository.scope("pull")`` (default none; 401s escalate as needed).
    - ``insecure``: skip TLS verification and allow http (default False), as
      crane's ``--insecure``; the registry's own ``insecure`` also allows http.
    - ``user_agent_product``: e.g. ``"crane/0.1.0"``, put before
      ``containerregistry-python/<version>`` (default: that token alone).
    - ``ca_bundle``: a PEM file (or hashed directory) of CAs to trust instead of any
      other (default None: ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` when set,
      then ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` as Go reads them, then certifi).
    - ``client_cert``: a PEM with certificate and key, or ``(cert, key)``, for mTLS.
    - ``retry``: the retry policy of every request, the ping and token fetches
      included (default ``Retry()``: 5 tries, waits drawn up to 1, 2, 4, 8 s).
    - ``pool_size``: connections kept per host (default 4, the default ``jobs``);
      pass the job count.
    - ``timeout``: ``(connect, read)`` seconds (default 30 s, 300 s).
    - ``headers``: extra headers for every request (docker's ``HttpHeaders``);
      ``User-Agent`` among them is ignored.
    - ``oauth_password``: exchange a username/password with the OAuth2 password grant
      instead of the GET flow (default False).

    Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``). Raises
    :class:`TransportError` or :class:`RegistryError` when the ping or the first token
    exchange fails.
    """
    if pool_size < 1:
        raise ValueError("pool_size must be at least 1")
    if insecure and ca_bundle:
        raise ValueError("insecure skips TLS verification, so a ca_bundle would be ignored")
    session = RegistrySession(registry)
    session.verify = False if insecure else (ca_bundle or True)
    if client_cert is not None:
        session.cert = client_cert
    if insecure:
        # The user asked for it; a warning on every request would only be noise.
        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    if headers:
        session.headers.update({k: v for k, v in headers.items() if k.lower() != "user-agent"})
    base: BaseAdapter = _PoolAdapter(pool_size=pool_size, timeout=timeout)
    below: BaseAdapter = RetryLayer(
        UserAgentLayer(LoggerLayer(base), user_agent(user_agent_product)), retry or Retry()
    )
    _mount(session, _Translate(below))
    result: PingResult = ping(_Pinger(registry, insecure), session)
    session.scheme = result.scheme
    session.challenge = result.challenge
    auth: BaseAdapter = below
    if result.challenge is not None and result.challenge.scheme == "bearer":
        from containerregistry.transport._bearer import BearerLayer

        session.bearer = BearerLayer(
            below,
            registry=registry.registry_str,
            scheme=result.scheme,
            authenticator=authenticator,
            challenge=result.challenge,
            scopes=scopes,
            allow_http=insecure or registry.insecure or result.scheme == "http",
            options=session.send_options,
            oauth_password=oauth_password,
        )
        auth = session.bearer
    elif result.challenge is not None:
        from containerregistry.transport._basic import BasicLayer

        auth = BasicLayer(below, authenticator, registry.registry_str, result.scheme)
    _mount(session, _Translate(SchemeLayer(auth, registry.registry_str, result.scheme)))
    if session.bearer is not None:
        try:
            session.bearer.refresh()
        except requests.RequestException as exc:
            raise TransportError(
                f"token exchange for {registry.registry_str} failed: {exc}"
            ) from exc
    return session


def _origin(url: str | bytes | None) -> str:
    """``scheme://host[:port]`` of ``url``: all that proxy and TLS settings depend on."""
    text = url.decode() if isinstance(url, bytes) else (url or "")
    scheme, _, rest = text.partition("://")
    return f"{scheme.lower()}://{rest.split('/', 1)[0].split('?', 1)[0].lower()}"


def _frozen(value: Any) -> Any:
    """``value`` made hashable: mappings become sorted item tuples, lists tuples."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value


class _Pinger:
    """The registry as the ping sees it: ``insecure`` also allows the http fallback."""

    def __init__(self, registry: Registry, insecure: bool) -> None:
        self.registry_str = registry.registry_str
        self.scheme = "http" if insecure or registry.insecure else registry.scheme


def _mount(session: requests.Session, adapter: BaseAdapter) -> None:
    for prefix in ("https://", "http://"):
        session.mount(prefix, adapter)
