"""AuthConfig: the credentials an authenticator hands to the transport."""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping
from typing import Any

from containerregistry.errors import ContainerRegistryError
from containerregistry.lazy import record

#: The username a credential helper returns when its secret is an identity token
#: (docker's credential-helper convention).
TOKEN_USERNAME = "<token>"


class AuthConfigError(ContainerRegistryError):
    """A stored credential entry could not be understood."""


@record
class AuthConfig:
    """Credentials for one registry, in the shape of docker's ``config.json`` entries.

    ``auth`` is ``base64("user:password")``; when it is set and ``username`` or
    ``password`` are empty, :meth:`resolved` fills them from it. ``identity_token`` is
    an OAuth2 refresh token (exchanged with ``grant_type=refresh_token``) and
    ``registry_token`` a bearer token sent to the registry as is.
    """

    username: str = ""
    password: str = dataclasses.field(default="", repr=False)
    auth: str = dataclasses.field(default="", repr=False)
    identity_token: str = dataclasses.field(default="", repr=False)
    registry_token: str = dataclasses.field(default="", repr=False)

    def is_empty(self) -> bool:
        """Return whether no field is set (which means anonymous)."""
        fields = (self.username, self.password, self.auth, self.identity_token)
        return not any(fields) and not self.registry_token

    def resolved(self) -> AuthConfig:
        """Return a copy with ``username``/``password`` decoded from ``auth`` when missing.

        Raises :class:`AuthConfigError` if ``auth`` is not base64 of ``user:password``.
        """
        if not self.auth or (self.username and self.password):
            return self
        user, password = decode_auth(self.auth)
        return dataclasses.replace(
            self, username=self.username or user, password=self.password or password
        )

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> AuthConfig:
        """Build from one ``auths`` entry of a docker ``config.json`` (unknown keys ignored)."""

        def text(key: str) -> str:
            value = entry.get(key)
            return value if isinstance(value, str) else ""

        return cls(
            username=text("username"),
            password=text("password"),
            auth=text("auth"),
            identity_token=text("identitytoken"),
            registry_token=text("registrytoken"),
        ).resolved()

    def to_json(self) -> dict[str, str]:
        """Return the ``config.json`` entry docker writes: ``auth`` re-encoded, empties omitted."""
        out: dict[str, str] = {}
        if self.username or self.password:
            out["auth"] = encode_auth(self.username, self.password)
        elif self.auth:
            out["auth"] = self.auth
        if self.identity_token:
            out["identitytoken"] = self.identity_token
        if self.registry_token:
            out["registrytoken"] = self.registry_token
        return out


def encode_auth(username: str, password: str) -> str:
    """Return ``base64("username:password")`` as docker stores it."""
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def decode_auth(auth: str) -> tuple[str, str]:
    """Split a base64 ``user:password`` value; padded and unpadded forms are accepted."""
    text = auth.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise AuthConfigError(
            "the 'auth' field of a stored credential is not valid base64; "
            "log in again to rewrite it"
        ) from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise AuthConfigError(
            "the 'auth' field of a stored credential has no ':' between user and password; "
            "log in again to rewrite it"
        )
    return user, password
