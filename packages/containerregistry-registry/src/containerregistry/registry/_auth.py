"""Optional authentication: HTTP basic, or a bearer-token flow with its own token
endpoint and scopes, as Docker Hub and distribution do it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs

from containerregistry.registry._errors import RegistryError
from containerregistry.registry._http import Response

if TYPE_CHECKING:
    from containerregistry.registry._http import Request


class AuthConfigError(RegistryError):
    """A users file or ``--user`` value cannot be read."""


class Authorizer(Protocol):
    """What the registry asks of an authentication flavour."""

    def handle(self, request: Request) -> Response | None:
        """Answer a request for the flavour's own endpoints (a token endpoint), else None."""

    def authorize(
        self, request: Request, resource: str | None, action: str, *, also: Sequence[str] = ()
    ) -> None:
        """Raise a 401 :class:`RegistryError` unless the request may do ``action``.

        ``resource`` is ``repository:<name>`` or ``registry:catalog:*``; None (the
        ``/v2/`` ping) asks only that the caller be authenticated. ``also`` (default
        none) names further scopes, ``<resource>:<action>``, that a challenge asks for
        beside this one without requiring them (a mount's ``from`` repository).
        """


def parse_user(text: str) -> tuple[str, str]:
    """Split ``name:password``; raise :class:`AuthConfigError` without echoing the secret."""
    name, sep, password = text.partition(":")
    if not sep or not name:
        raise AuthConfigError(
            "UNAUTHORIZED",
            f"user entry for {name or '(empty name)'!r} is not of the form name:password",
        )
    return name, password


def load_users(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read ``name:password`` lines (blank lines and ``#`` comments skipped) from ``path``."""
    users: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except OSError as exc:
        raise AuthConfigError(
            "UNAUTHORIZED", f"cannot read users file {os.fspath(path)}: {exc.strerror}"
        ) from None
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, password = parse_user(line)
            users[name] = password
    return users


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, sep, password = decoded.partition(":")
    return (name, password) if sep else None


def _check_password(users: Mapping[str, str], name: str, password: str) -> bool:
    expected = users.get(name)
    # Compare even for unknown users, so timing does not reveal which names exist.
    candidate = expected if expected is not None else secrets.token_hex(8)
    same = hmac.compare_digest(candidate.encode(), password.encode())
    return expected is not None and same


class BasicAuth:
    """Every request needs ``Authorization: Basic`` with one of ``users`` (name to password).

    ``realm`` is named in the ``WWW-Authenticate`` challenge (default ``containerregistry``).
    """

    def __init__(self, users: Mapping[str, str], *, realm: str = "containerregistry") -> None:
        self.users = dict(users)
        self.realm = realm

    def handle(self, request: Request) -> Response | None:
        return None

    def authorize(
        self, request: Request, resource: str | None, action: str, *, also: Sequence[str] = ()
    ) -> None:
        credentials = _basic_credentials(request.header("Authorization"))
        if credentials is not None and _check_password(self.users, *credentials):
            return
        raise RegistryError(
            "UNAUTHORIZED",
            "authentication required: send a user name and password of this registry",
            headers=[("WWW-Authenticate", f'Basic realm="{self.realm}"')],
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenAuth:
    """A bearer-token flow: requests get a 401 with a ``Bearer`` challenge naming
    the token endpoint (``<scheme>://<host>/token``), which trades the basic
    credentials of one of ``users`` for a signed token granting the asked scopes.

    Options (keyword-only):

    - ``service``: the service name in challenges and tokens (default ``containerregistry``).
    - ``expires_in``: token lifetime in seconds (default 300, as distribution's).
    - ``anonymous_pull``: grant ``pull`` without credentials (default False).
    - ``secret``: the HMAC key tokens are signed with (default: random per process).
    """

    TOKEN_PATH = "/token"

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        service: str = "containerregistry",
        expires_in: int = 300,
        anonymous_pull: bool = False,
        secret: bytes | None = None,
    ) -> None:
        self.users = dict(users)
        self.service = service
        self.expires_in = expires_in
        self.anonymous_pull = anonymous_pull
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    # -- tokens ----------------------------------------------------------------------

    def _sign(self, claims: dict[str, object]) -> str:
        payload = _b64(json.dumps(claims, sort_keys=True).encode())
        signature = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return f"{payload}.{_b64(signature)}"

    def _verify(self, token: str, kind: str) -> dict[str, object] | None:
        payload, _, signature = token.partition(".")
        expected = _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        try:
            claims = json.loads(_unb64(payload))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(claims, dict) or claims.get("kind") != kind:
            return None
        if not isinstance(claims.get("exp"), (int, float)) or claims["exp"] < time.time():
            return None
        return claims

    def _grant(self, user: str | None, scopes: list[str]) -> list[list[str]]:
        """``[[resource, action], ...]`` the user may have of the asked ``scopes``."""
        granted: list[list[str]] = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind not in ("repository", "registry") or not name:
                continue
            for action in actions.split(","):
                if user is not None or (self.anonymous_pull and action == "pull"):
                    granted.append([f"{kind}:{name}", action])
        return granted

    def _token_response(self, request: Request) -> Response:
        user: str | None = None
        scopes: list[str] = []
        refresh = False
        if request.method == "POST":
            # The OAuth2 form flow: grant_type=password or refresh_token.
            body = request.read_body(64 * 1024, stalled="UNKNOWN") or b""
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            scopes = form.get("scope", "").split()
            if form.get("grant_type") == "refresh_token":
                refreshed = self._verify(form.get("refresh_token", ""), "refresh")
                if refreshed is None:
                    raise self._denied("the refresh token is invalid or expired; log in again")
                user = str(refreshed["sub"])
            elif form.get("grant_type") == "password":
                user = form.get("username", "")
                if not _check_password(self.users, user, form.get("password", "")):
                    raise self._denied("wrong user name or password")
                refresh = True
            else:
                raise RegistryError(
                    "UNSUPPORTED", "grant_type must be password or refresh_token", status=400
                )
        elif request.method == "GET":
            for value in request.query.get("scope", []):
                scopes += value.split()
            credentials = _basic_credentials(request.header("Authorization"))
            if credentials is not None:
                if not _check_password(self.users, *credentials):
                    raise self._denied("wrong user name or password")
                user = credentials[0]
                refresh = request.arg("offline_token") == "true"
        else:
            raise RegistryError("UNSUPPORTED", "the token endpoint answers GET and POST")
        now = int(time.time())
        claims: dict[str, object] = {
            "kind": "access",
            "sub": user,
            "access": self._grant(user, scopes),
            "exp": now + self.expires_in,
        }
        token = self._sign(claims)
        document: dict[str, object] = {
            "token": token,
            "access_token": token,
            "expires_in": self.expires_in,
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        }
        if refresh and user is not None:
            # Refresh tokens last a day: long enough for a CI job, short enough to expire.
            document["refresh_token"] = self._sign(
                {"kind": "refresh", "sub": user, "exp": now + 86400}
            )
        return Response.json(200, document)

    @staticmethod
    def _denied(message: str) -> RegistryError:
        return RegistryError("UNAUTHORIZED", message)

    # -- Authorizer --------------------------------------------------------------------

    def handle(self, request: Request) -> Response | None:
        if request.path != self.TOKEN_PATH:
            return None
        return self._token_response(request)

    def authorize(
        self, request: Request, resource: str | None, action: str, *, also: Sequence[str] = ()
    ) -> None:
        header = request.header("Authorization")
        scheme, _, token = header.partition(" ")
        claims = self._verify(token.strip(), "access") if scheme.lower() == "bearer" else None
        if claims is not None:
            access = claims.get("access")
            if resource is None:
                return
            if isinstance(access, list) and (
                [resource, action] in access or [resource, "*"] in access
            ):
                return
        realm = f"{request.environ.get('wsgi.url_scheme', 'http')}://"
        realm += f"{request.header('Host') or 'localhost'}{self.TOKEN_PATH}"
        challenge = f'Bearer realm="{realm}",service="{self.service}"'
        if resource is not None:
            wanted = "pull,push" if action == "push" else action
            # Distribution's form: every scope the request touches, space-separated.
            scopes = " ".join([f"{resource}:{wanted}", *also])
            challenge += f',scope="{scopes}"'
            if claims is not None:
                challenge += ',error="insufficient_scope"'
        raise RegistryError(
            "UNAUTHORIZED",
            f"authentication required to {action or 'use'} {resource or 'this registry'}: "
            "get a token from the realm in WWW-Authenticate",
            headers=[("WWW-Authenticate", challenge)],
        )
