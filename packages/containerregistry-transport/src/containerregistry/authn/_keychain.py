"""Keychains: from a registry or repository to an authenticator."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol, TypeAlias, runtime_checkable

from containerregistry.authn._authenticator import ANONYMOUS, Authenticator, from_config
from containerregistry.authn._config import AuthConfig
from containerregistry.authn._configfile import ConfigFile, config_key, find_config


class RegistryResource(Protocol):
    """A registry, e.g. :class:`containerregistry.name.Registry`."""

    @property
    def registry_str(self) -> str:
        """The registry host, e.g. ``index.docker.io``."""
        ...


class RepositoryResource(Protocol):
    """A repository, e.g. :class:`containerregistry.name.Repository`."""

    @property
    def registry(self) -> RegistryResource:
        """The registry the repository lives in."""
        ...

    @property
    def repository_str(self) -> str:
        """The repository path, e.g. ``library/ubuntu``."""
        ...


#: What a keychain resolves: a registry, a repository, or a registry host string.
Resource: TypeAlias = str | RegistryResource | RepositoryResource


def resource_keys(target: Resource) -> list[str]:
    """Return the lookup keys for ``target``: ``registry/repository`` first, then the registry.

    The per-repository key lets a config hold credentials for one repository only.
    """
    if isinstance(target, str):
        return [target]
    context = getattr(target, "context", None)  # a Tag or Digest: use its repository
    if context is not None and hasattr(context, "repository_str"):
        target = context
    repository = getattr(target, "repository_str", None)
    registry = getattr(target, "registry", None)
    if isinstance(repository, str) and registry is not None:
        host = str(registry.registry_str)
        return [f"{host}/{repository}", host]
    return [str(getattr(target, "registry_str", target))]


@runtime_checkable
class Keychain(Protocol):
    """Finds the credentials to use for a registry or repository."""

    def resolve(self, target: Resource) -> Authenticator:
        """Return the authenticator for ``target`` (:data:`ANONYMOUS` when none is known)."""
        ...


class DefaultKeychain:
    """Docker's and podman's credential files, read as ggcr's ``DefaultKeychain`` does.

    The file is found afresh on every :meth:`resolve` (see :func:`find_config` for the
    order), so a ``login`` in between is seen. ``env`` defaults to ``os.environ``.
    """

    def __init__(self, *, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._lock = threading.Lock()

    def resolve(self, target: Resource) -> Authenticator:
        """Return the first non-empty entry for the repository key, then the registry key."""
        with self._lock:
            path = find_config(os.environ if self._env is None else self._env)
            if path is None:
                return ANONYMOUS
            config = ConfigFile.load(path)
            for key in resource_keys(target):
                found = config.get(config_key(key))
                if not found.is_empty():
                    return from_config(found)
            return ANONYMOUS


def default_keychain() -> Keychain:
    """Return the keychain that reads docker ``config.json`` and podman ``auth.json``."""
    return DefaultKeychain()


class _HelperKeychain:
    def __init__(self, get: Callable[[str], AuthConfig]) -> None:
        self._get = get

    def resolve(self, target: Resource) -> Authenticator:
        try:
            found = self._get(resource_keys(target)[-1])
        except Exception:  # a failing helper means "no credentials", as in ggcr
            return ANONYMOUS
        return from_config(found)


def keychain_from_helper(get: Callable[[str], AuthConfig]) -> Keychain:
    """Return a keychain asking ``get(registry_host)`` (e.g. ``CredentialHelper(n).get``).

    A helper that fails gives :data:`ANONYMOUS` instead of an error.
    """
    return _HelperKeychain(get)


class _MultiKeychain:
    def __init__(self, keychains: tuple[Keychain, ...]) -> None:
        self._keychains = keychains

    def resolve(self, target: Resource) -> Authenticator:
        for keychain in self._keychains:
            found = keychain.resolve(target)
            if found is not ANONYMOUS:
                return found
        return ANONYMOUS


def multi_keychain(*keychains: Keychain) -> Keychain:
    """Return a keychain asking each of ``keychains`` in order; the first non-anonymous wins.

    An error from any keychain stops the search and propagates.
    """
    return _MultiKeychain(keychains)


class _RefreshingAuthenticator:
    def __init__(
        self,
        keychain: Keychain,
        target: Resource,
        first: Authenticator,
        interval: float,
        clock: Callable[[], float],
    ) -> None:
        self._keychain = keychain
        self._target = target
        self._current = first
        self._interval = interval
        self._clock = clock
        self._resolved_at = clock()
        self._lock = threading.Lock()

    def authorization(self) -> AuthConfig:
        with self._lock:
            if self._clock() - self._resolved_at >= self._interval:
                self._current = self._keychain.resolve(self._target)
                self._resolved_at = self._clock()
            current = self._current
        return current.authorization()


class _RefreshingKeychain:
    def __init__(self, inner: Keychain, interval: float, clock: Callable[[], float]) -> None:
        self._inner = inner
        self._interval = interval
        self._clock = clock

    def resolve(self, target: Resource) -> Authenticator:
        first = self._inner.resolve(target)
        return _RefreshingAuthenticator(self._inner, target, first, self._interval, self._clock)


def refreshing_keychain(
    inner: Keychain,
    *,
    interval: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
) -> Keychain:
    """Return a keychain whose authenticators re-resolve through ``inner`` when stale.

    ``interval`` (default 300 s, as ggcr's default) is how long an answer is reused;
    short-lived cloud tokens stay valid through long copies. ``clock`` is for tests.
    """
    if interval < 0:
        raise ValueError("interval must be >= 0 seconds")
    return _RefreshingKeychain(inner, interval, clock)
