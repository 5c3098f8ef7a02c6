"""Authenticators for Google registries: access tokens from google-auth or gcloud,
service-account keys, and fixed tokens.

google-auth is imported inside the functions that need it, so importing this
package stays cheap for command-line tools that may never talk to Google.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from containerregistry.authn import ANONYMOUS, AuthConfig, Authenticator, Basic
from containerregistry.google._errors import GoogleAuthError
from containerregistry.lazy import record

if TYPE_CHECKING:
    import requests

_log = logging.getLogger("containerregistry.google")
_log.addHandler(logging.NullHandler())

#: The OAuth2 scope GCR and Artifact Registry accept for pulls and pushes.
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
#: Seconds before its expiry that a token is replaced: a request that is sent with a
#: token in its last minute might arrive after it expired.
REFRESH_MARGIN = 60.0
#: The user name GCR expects with an OAuth2 access token from the environment.
TOKEN_USERNAME = "_token"
#: The user name for a plain access token (``gcloud auth print-access-token``).
ACCESS_TOKEN_USERNAME = "oauth2accesstoken"
#: The user name for a whole service-account JSON key sent as the password.
JSON_KEY_USERNAME = "_json_key"
#: Seconds ``gcloud config config-helper`` may take: it may refresh through the network.
GCLOUD_TIMEOUT = 60.0

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@record
class AccessToken:
    """An OAuth2 access token and when it expires (``None``: unknown, use it once).

    The token is left out of ``repr`` so that it cannot reach a log by accident.
    """

    value: str = dataclasses.field(repr=False)
    expiry: datetime.datetime | None = None

    def valid_at(self, now: float, margin: float = REFRESH_MARGIN) -> bool:
        """Whether the token may still be sent at ``now`` (seconds since the epoch)."""
        if self.expiry is None:
            return False
        return (self.expiry - _EPOCH).total_seconds() - margin > now


@runtime_checkable
class TokenSource(Protocol):
    """Something that can mint an access token (a new one on every call)."""

    def token(self) -> AccessToken:
        """Return a fresh access token; raise :class:`GoogleAuthError` on failure."""
        ...


class ReusingTokenSource:
    """Hands out the same token until :data:`REFRESH_MARGIN` before it expires.

    Thread-safe: when the token is stale, one caller refreshes it and the others
    wait for that token instead of minting their own. ``clock`` is for tests.
    """

    def __init__(
        self,
        source: TokenSource,
        *,
        first: AccessToken | None = None,
        margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._current = first
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()

    def token(self) -> AccessToken:
        """Return the cached token, or a new one from the wrapped source when stale."""
        with self._lock:
            current = self._current
            if current is None or not current.valid_at(self._clock(), self._margin):
                current = self._source.token()
                self._current = current
            return current


class CredentialsTokenSource:
    """Access tokens from a google-auth ``Credentials`` object, refreshed on each call.

    ``session`` is the :class:`requests.Session` google-auth talks to token endpoints
    and the metadata server through (default: a new one).
    """

    def __init__(self, credentials: Any, *, session: requests.Session | None = None) -> None:
        self._credentials = credentials
        self._session = session

    def token(self) -> AccessToken:
        """Refresh the credentials and return their token."""
        import google.auth.exceptions
        import google.auth.transport.requests

        request = google.auth.transport.requests.Request(session=self._session)
        try:
            self._credentials.refresh(request)
        except google.auth.exceptions.GoogleAuthError as exc:
            raise GoogleAuthError(
                f"refreshing Google credentials failed: {exc}; check the service account, "
                "`gcloud auth application-default login`, or the metadata server"
            ) from exc
        value = self._credentials.token
        if not isinstance(value, str) or not value:
            raise GoogleAuthError("Google credentials refreshed without an access token")
        expiry = self._credentials.expiry
        if isinstance(expiry, datetime.datetime) and expiry.tzinfo is None:
            # google-auth keeps expiries as naive UTC datetimes.
            expiry = expiry.replace(tzinfo=datetime.timezone.utc)
        return AccessToken(value, expiry if isinstance(expiry, datetime.datetime) else None)


class GcloudTokenSource:
    """Access tokens from ``gcloud config config-helper --force-auth-refresh``.

    ``gcloud`` is the executable (default ``gcloud`` on ``PATH``); ``timeout`` the
    seconds one run may take (default 60).
    """

    def __init__(self, gcloud: str = "gcloud", *, timeout: float = GCLOUD_TIMEOUT) -> None:
        self._gcloud = gcloud
        self._timeout = timeout

    def token(self) -> AccessToken:
        """Run gcloud once and parse ``credential.access_token`` and ``token_expiry``."""
        # config-helper is the supported way to read gcloud's credentials;
        # --force-auth-refresh makes the token good for about an hour from now.
        command = [
            self._gcloud,
            "config",
            "config-helper",
            "--force-auth-refresh",
            "--format=json(credential)",
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=self._timeout, check=False, stdin=None
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GoogleAuthError(
                f"running `{self._gcloud} config config-helper` failed: {exc}"
            ) from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise GoogleAuthError(
                f"`{self._gcloud} config config-helper` exited with {done.returncode}: "
                f"{detail or 'no message'}; run `gcloud auth login`"
            )
        return parse_gcloud_output(done.stdout)


def parse_gcloud_output(output: bytes | str) -> AccessToken:
    """Parse ``{"credential": {"access_token": ..., "token_expiry": RFC 3339}}``."""
    try:
        data = json.loads(output)
        credential = data["credential"]
        value = credential["access_token"]
        expiry_text = credential["token_expiry"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GoogleAuthError(
            "`gcloud config config-helper` printed no credential.access_token and "
            "credential.token_expiry; run `gcloud auth login`"
        ) from exc
    if not isinstance(value, str) or not value or not isinstance(expiry_text, str):
        raise GoogleAuthError("`gcloud config config-helper` printed an empty access token")
    try:
        expiry = datetime.datetime.fromisoformat(expiry_text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GoogleAuthError(
            f"gcloud's token_expiry {expiry_text!r} is not an RFC 3339 time"
        ) from exc
    if expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=datetime.timezone.utc)
    return AccessToken(value, expiry)


class TokenSourceAuthenticator:
    """Basic credentials ``<username>:<access token>``, the token reused until it expires.

    ``username`` defaults to ``_token``, what GCR and Artifact Registry expect with
    OAuth2 access tokens.
    """

    def __init__(self, source: TokenSource, *, username: str = TOKEN_USERNAME) -> None:
        self._source = (
            source if isinstance(source, ReusingTokenSource) else ReusingTokenSource(source)
        )
        self._username = username

    def authorization(self) -> AuthConfig:
        """Return the username and a token that is valid for at least a minute."""
        return AuthConfig(username=self._username, password=self._source.token().value)

    def __repr__(self) -> str:
        return f"TokenSourceAuthenticator(username={self._username!r})"


def token_source_authenticator(
    source: TokenSource, *, username: str = TOKEN_USERNAME
) -> Authenticator:
    """Return an authenticator sending tokens of ``source`` as ``username`` (default ``_token``).

    Tokens are reused until a minute before they expire, then refreshed.
    """
    return TokenSourceAuthenticator(source, username=username)


def json_key_authenticator(key_json: str | bytes) -> Authenticator:
    """Return Basic ``_json_key:<key>``: GCR accepts a whole service-account key as password.

    Raises :class:`GoogleAuthError` if ``key_json`` is not a JSON object (the key file
    was probably not what was meant).
    """
    text = key_json.decode("utf-8") if isinstance(key_json, bytes) else key_json
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise GoogleAuthError(
            "the service-account key is not JSON; pass the contents of the key file"
        ) from exc
    if not isinstance(parsed, dict):
        raise GoogleAuthError("the service-account key must be a JSON object")
    return Basic(JSON_KEY_USERNAME, text)


def token_authenticator(token: str) -> Authenticator:
    """Return Basic ``oauth2accesstoken:<token>`` for a fixed access token.

    For a token from ``gcloud auth print-access-token``; it is not refreshed.
    """
    if not token:
        raise GoogleAuthError("the access token is empty")
    return Basic(ACCESS_TOKEN_USERNAME, token)


def service_account_authenticator(
    key_json: str | bytes, *, scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,)
) -> Authenticator:
    """Return an authenticator minting access tokens with a service-account key.

    The key signs a JWT grant sent to its ``token_uri``; ``scopes`` default to
    cloud-platform. Tokens are reused until they are about to expire.
    """
    from google.oauth2 import service_account

    # Typed as Any: google-auth's factory methods carry no annotations.
    from_info: Any = service_account.Credentials.from_service_account_info
    try:
        info = json.loads(key_json)
        credentials = from_info(info, scopes=list(scopes))
    except (ValueError, TypeError, KeyError) as exc:
        raise GoogleAuthError(
            f"the service-account key cannot be used: {type(exc).__name__}; "
            "pass the JSON of a key created with `gcloud iam service-accounts keys create`"
        ) from None
    return TokenSourceAuthenticator(CredentialsTokenSource(credentials))


def application_default_authenticator(
    *, scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,)
) -> Authenticator:
    """Return an authenticator for Google's application default credentials.

    google-auth looks at ``GOOGLE_APPLICATION_CREDENTIALS``, then gcloud's ADC file
    (``gcloud auth application-default login``), then the metadata server of GCE,
    GKE, Cloud Run and the like. A first token is fetched at once, so a failure shows
    here as :class:`GoogleAuthError`; ``scopes`` default to cloud-platform.
    """
    import google.auth
    import google.auth.exceptions

    try:
        credentials, _project = google.auth.default(scopes=list(scopes))
    except google.auth.exceptions.GoogleAuthError as exc:
        raise GoogleAuthError(f"no application default credentials: {exc}") from exc
    source = CredentialsTokenSource(credentials)
    return TokenSourceAuthenticator(ReusingTokenSource(source, first=source.token()))


def gcloud_authenticator(*, gcloud: str = "gcloud") -> Authenticator:
    """Return an authenticator taking tokens from the gcloud CLI (``gcloud`` on ``PATH``).

    If the executable is not found the result is anonymous; if it fails, the error is
    :class:`GoogleAuthError`. A first token is fetched at once.
    """
    found = shutil.which(gcloud)
    if found is None:
        _log.debug("gcloud executable %r not found", gcloud)
        return ANONYMOUS
    source = GcloudTokenSource(found)
    return TokenSourceAuthenticator(ReusingTokenSource(source, first=source.token()))
