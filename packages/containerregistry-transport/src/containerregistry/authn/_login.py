"""``login`` and ``logout``: writing credentials where docker reads them."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from containerregistry.authn._config import AuthConfig
from containerregistry.authn._configfile import (
    DEFAULT_AUTH_KEY,
    ConfigFile,
    config_key,
    docker_config_dir,
    hostname_of,
)
from containerregistry.errors import ContainerRegistryError


class LoginError(ContainerRegistryError):
    """Credentials could not be stored or erased."""


def _server_key(server: str) -> str:
    """Return the key for ``server``: scheme and path dropped, Docker Hub special-cased."""
    server = server.strip()
    if server == DEFAULT_AUTH_KEY:
        return server
    return config_key(hostname_of(server))


def login(
    server: str,
    username: str,
    password: str,
    *,
    identity_token: str = "",
    env: Mapping[str, str] | None = None,
) -> Path:
    """Store credentials for ``server`` in docker's ``config.json``; return its path.

    The file is ``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json``. When it
    names a ``credsStore`` or a ``credHelpers`` entry for the host, the secret goes to
    that helper and the file keeps an empty entry. Unknown fields are kept, and the
    file is replaced atomically with mode 0600. Docker Hub is stored under
    ``https://index.docker.io/v1/``. ``env`` defaults to ``os.environ``.
    """
    if not username and not password and not identity_token:
        raise LoginError(f"logging in to {server} needs a username or password")
    path = docker_config_dir(os.environ if env is None else env) / "config.json"
    config = ConfigFile.load(path)
    key = _server_key(server)
    config.store(
        key, AuthConfig(username=username, password=password, identity_token=identity_token)
    )
    config.save()
    return path


def logout(server: str, *, env: Mapping[str, str] | None = None) -> Path:
    """Erase the credentials for ``server`` from docker's config (and its helper).

    Returns the path of the config file. Raises :class:`LoginError` if nothing was
    stored for ``server``.
    """
    path = docker_config_dir(os.environ if env is None else env) / "config.json"
    config = ConfigFile.load(path)
    key = _server_key(server)
    if not config.erase(key):
        raise LoginError(f"not logged in to {server} (no entry in {path})")
    config.save()
    return path
