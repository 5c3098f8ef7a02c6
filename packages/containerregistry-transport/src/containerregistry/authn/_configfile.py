"""Docker ``config.json`` and podman ``auth.json``: finding, reading and writing them."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from containerregistry.authn._config import AuthConfig, AuthConfigError
from containerregistry.authn._helper import CredentialHelper

#: Docker Hub's credentials live under this key for historical reasons.
DEFAULT_AUTH_KEY = "https://index.docker.io/v1/"

_DOCKER_HUB_NAMES = frozenset({"index.docker.io", "docker.io", "registry-1.docker.io"})
#: Docker Hub's keys as other tools write them, in the order they are tried after
#: :data:`DEFAULT_AUTH_KEY`: podman and skopeo write ``docker.io``, others the host.
_DOCKER_HUB_KEYS = ("index.docker.io", "docker.io", "registry-1.docker.io")


def equivalent_keys(key: str) -> list[str]:
    """Return the ``auths`` keys that mean ``key``, ``key`` first.

    Docker Hub is stored as ``https://index.docker.io/v1/`` by docker, ``docker.io`` by
    podman and skopeo, and ``index.docker.io`` by hand; a repository key such as
    ``index.docker.io/org/app`` is also looked up as ``docker.io/org/app``.
    """
    if key == DEFAULT_AUTH_KEY or key in _DOCKER_HUB_NAMES:
        return list(dict.fromkeys([key, DEFAULT_AUTH_KEY, *_DOCKER_HUB_KEYS]))
    host, slash, path = key.partition("/")
    if slash and host in _DOCKER_HUB_NAMES:
        return list(dict.fromkeys([key, *(f"{h}/{path}" for h in _DOCKER_HUB_KEYS)]))
    return [key]


def config_key(server: str) -> str:
    """Return the ``auths`` key docker uses for ``server`` (Docker Hub is special)."""
    if server in _DOCKER_HUB_NAMES:
        return DEFAULT_AUTH_KEY
    return server


def hostname_of(key: str) -> str:
    """Strip a scheme and any path from a config key, as docker does to compare keys."""
    for prefix in ("http://", "https://"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return key.split("/", 1)[0]


def _is_registry_key(key: str) -> bool:
    """Whether ``key`` names a whole registry (``host``, ``https://host/v1/``), not one
    repository (``host/org/app``): a repository's credentials are not the registry's."""
    for prefix in ("http://", "https://"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    _, _, path = key.partition("/")
    return path.strip("/") in ("", "v1", "v2")


def docker_config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return ``$DOCKER_CONFIG`` or ``~/.docker``: where docker itself reads and writes."""
    env = os.environ if env is None else env
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"])
    return _home(env) / ".docker"


def _home(env: Mapping[str, str]) -> Path:
    if env.get("HOME"):
        return Path(env["HOME"])
    return Path.home()


def find_config(env: Mapping[str, str] | None = None) -> Path | None:
    """Return the credentials file the default keychain reads, or None for anonymous.

    The order is ggcr's ``DefaultKeychain``:

    1. if ``$HOME/.docker/config.json`` exists: ``$DOCKER_CONFIG/config.json`` when
       ``DOCKER_CONFIG`` is set, else that file (docker's own ``config.Load``);
    2. else ``$DOCKER_CONFIG/config.json`` if it exists;
    3. else ``$REGISTRY_AUTH_FILE`` if it exists;
    4. else podman's ``$XDG_RUNTIME_DIR/containers/auth.json``, then
       ``${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json``;
    5. else None.

    The path of step 1 may not exist (a ``DOCKER_CONFIG`` without a file), in which
    case the config is empty, as with docker.
    """
    env = os.environ if env is None else env
    home = _home(env)
    if (home / ".docker" / "config.json").is_file():
        return docker_config_dir(env) / "config.json"
    candidates: list[Path] = []
    if env.get("DOCKER_CONFIG"):
        candidates.append(Path(env["DOCKER_CONFIG"]) / "config.json")
    if env.get("REGISTRY_AUTH_FILE"):
        candidates.append(Path(env["REGISTRY_AUTH_FILE"]))
    if env.get("XDG_RUNTIME_DIR"):
        candidates.append(Path(env["XDG_RUNTIME_DIR"]) / "containers" / "auth.json")
    xdg_config = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else home / ".config"
    candidates.append(xdg_config / "containers" / "auth.json")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


class ConfigFile:
    """A docker-format credentials file, keeping every field it does not manage."""

    def __init__(self, path: Path, data: dict[str, Any] | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = data if data is not None else {}

    @classmethod
    def load(cls, path: Path) -> ConfigFile:
        """Read ``path``; a missing file is an empty config, a malformed one an error."""
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path)
        except OSError as exc:
            raise AuthConfigError(
                f"cannot read credentials file {path}: {exc.strerror}; check its permissions"
            ) from None
        if not raw.strip():
            return cls(path)
        try:
            data = json.loads(raw)
        except ValueError:
            raise AuthConfigError(
                f"credentials file {path} is not valid JSON; fix or remove it"
            ) from None
        if not isinstance(data, dict):
            raise AuthConfigError(f"credentials file {path} does not hold a JSON object")
        return cls(path, data)

    @property
    def auths(self) -> dict[str, Any]:
        """The ``auths`` object (created empty when absent)."""
        auths = self.data.get("auths")
        if not isinstance(auths, dict):
            auths = {}
            self.data["auths"] = auths
        return auths

    def helper_for(self, key: str) -> CredentialHelper | None:
        """Return the helper docker would use for ``key``: ``credHelpers`` then ``credsStore``."""
        helpers = self.data.get("credHelpers")
        host = hostname_of(key)
        if isinstance(helpers, dict) and isinstance(helpers.get(host), str) and helpers[host]:
            return CredentialHelper(helpers[host])
        store = self.data.get("credsStore")
        if isinstance(store, str) and store:
            return CredentialHelper(store)
        return None

    def file_entry(self, key: str) -> AuthConfig:
        """Return the ``auths`` entry for ``key``: exact key first, then the keys that
        mean the same registry (:func:`equivalent_keys`), then by hostname."""
        auths = self.data.get("auths")
        if not isinstance(auths, dict):
            return AuthConfig()
        keys = equivalent_keys(key)
        entry = next((auths[k] for k in keys if isinstance(auths.get(k), dict)), None)
        if entry is None:
            # Keys written with a scheme or path (``https://ghcr.io``, ``http://h/v1/``).
            hosts = {hostname_of(k) for k in keys if "/" not in k} | {
                hostname_of(k) for k in keys if k.startswith(("http://", "https://"))
            }
            for stored_key in sorted(auths):
                if (
                    hostname_of(stored_key) in hosts
                    and _is_registry_key(stored_key)
                    and isinstance(auths[stored_key], dict)
                ):
                    entry = auths[stored_key]
                    break
        return AuthConfig.from_json(entry) if entry is not None else AuthConfig()

    def get(self, key: str) -> AuthConfig:
        """Return the credentials for ``key`` as docker/cli's ``GetAuthConfig`` does.

        With a helper, its answer replaces the username and secrets of the file entry.
        """
        entry = self.file_entry(key)
        helper = self.helper_for(key)
        if helper is None:
            return entry
        found = helper.get(key)
        if found.is_empty():
            return entry
        return AuthConfig(
            username="" if found.identity_token else found.username,
            password=found.password,
            identity_token=found.identity_token,
            registry_token=entry.registry_token,
        )

    def store(self, key: str, config: AuthConfig) -> None:
        """Store credentials: into the helper (leaving an empty entry) or into ``auths``."""
        helper = self.helper_for(key)
        if helper is not None:
            helper.store(key, config)
            self.auths[key] = {}
        else:
            self.auths[key] = config.to_json()

    def erase(self, key: str) -> bool:
        """Erase credentials for ``key`` from the helper and file; return whether any existed."""
        helper = self.helper_for(key)
        if helper is not None:
            helper.erase(key)
        auths = self.data.get("auths")
        if isinstance(auths, dict) and key in auths:
            del auths[key]
            return True
        return helper is not None

    def save(self) -> None:
        """Write the file atomically (temporary file, fsync, rename) with mode 0600.

        A symbolic link is followed, so the file it points at is replaced.
        """
        target = Path(os.path.realpath(self.path))
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = json.dumps(self.data, indent="\t").encode() + b"\n"
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                os.fchmod(out.fileno(), 0o600)
                out.write(body)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
