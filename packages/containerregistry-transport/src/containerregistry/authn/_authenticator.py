"""Authenticators: where the transport gets credentials from."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from containerregistry.authn._config import AuthConfig


@runtime_checkable
class Authenticator(Protocol):
    """Something that can produce credentials for one registry."""

    def authorization(self) -> AuthConfig:
        """Return the credentials to use now.

        It is called once per token exchange or basic-auth request, so an
        implementation may return fresh credentials each time.
        """
        ...


class _Anonymous:
    """No credentials at all."""

    def authorization(self) -> AuthConfig:
        return AuthConfig()

    def __repr__(self) -> str:
        return "ANONYMOUS"


#: The authenticator that sends no credentials.
ANONYMOUS: Authenticator = _Anonymous()


class Basic:
    """A username and password (``Authorization: Basic`` or the token exchange's GET)."""

    def __init__(self, username: str, password: str) -> None:
        self._config = AuthConfig(username=username, password=password)

    def authorization(self) -> AuthConfig:
        """Return the username and password."""
        return self._config

    def __repr__(self) -> str:
        return f"Basic(username={self._config.username!r})"


class Bearer:
    """A registry token sent as ``Authorization: Bearer <token>`` without any exchange."""

    def __init__(self, token: str) -> None:
        self._config = AuthConfig(registry_token=token)

    def authorization(self) -> AuthConfig:
        """Return the token as ``registry_token``."""
        return self._config

    def __repr__(self) -> str:
        return "Bearer(<redacted>)"


class FromConfig:
    """An authenticator that returns a fixed :class:`AuthConfig`."""

    def __init__(self, config: AuthConfig) -> None:
        self._config = config.resolved()

    def authorization(self) -> AuthConfig:
        """Return the configuration given at construction (``auth`` decoded)."""
        return self._config

    def __repr__(self) -> str:
        return f"FromConfig(username={self._config.username!r})"


def from_config(config: AuthConfig) -> Authenticator:
    """Return an authenticator for ``config``; an empty config gives :data:`ANONYMOUS`."""
    if config.is_empty():
        return ANONYMOUS
    return FromConfig(config)


def is_anonymous(authenticator: Authenticator) -> bool:
    """Return whether ``authenticator`` is :data:`ANONYMOUS`."""
    return authenticator is ANONYMOUS
