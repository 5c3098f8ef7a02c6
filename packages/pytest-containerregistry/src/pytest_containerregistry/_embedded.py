"""Embedded registries on loopback: started by a factory, stopped at teardown."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
from typing import TYPE_CHECKING, Literal

from containerregistry.registry import BasicAuth, Registry, TokenAuth, make_server

if TYPE_CHECKING:
    from containerregistry.authn import Basic
    from containerregistry.registry import RegistryServer, Storage

#: The authentication flavours an embedded registry can ask for.
AuthKind = Literal["basic", "token"]
AUTH_KINDS: tuple[AuthKind, ...] = ("basic", "token")
#: The user every authenticated registry knows unless told otherwise.
DEFAULT_USERNAME = "pytest"


class RegistryFixtureError(Exception):
    """A registry fixture was asked for something it cannot do."""


@dataclasses.dataclass(frozen=True)
class Credentials:
    """A username and password a registry accepts."""

    username: str
    password: str = dataclasses.field(repr=False)

    def authenticator(self) -> Basic:
        """An ``authn.Basic`` for ``remote.*(..., authenticator=...)`` and ``crane`` calls."""
        from containerregistry.authn import Basic

        return Basic(self.username, self.password)

    def docker_config(self, host: str) -> dict[str, object]:
        """A Docker ``config.json`` (as a dict) that logs in to ``host`` with these
        credentials: write it to ``$DOCKER_CONFIG/config.json`` for CLIs and keychains."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"auths": {host: {"auth": token}}}

    def write_docker_config(self, host: str, directory: str) -> str:
        """Write :meth:`docker_config` to ``directory/config.json``; return the directory
        (point ``DOCKER_CONFIG`` at it)."""
        import os

        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "config.json"), "w", encoding="utf-8") as file:
            json.dump(self.docker_config(host), file)
        return directory


@dataclasses.dataclass(frozen=True)
class RunningRegistry:
    """An embedded registry serving on loopback until its fixture's teardown.

    ``str(registry)`` is its ``host:port``, so f-strings build references:
    ``f"{registry}/app:1"``.
    """

    #: ``127.0.0.1:PORT``.
    host: str
    #: The WSGI application; ``app.storage`` shows what was pushed.
    app: Registry = dataclasses.field(repr=False)
    #: ``"basic"``, ``"token"`` or None (no authentication).
    auth: AuthKind | None = None
    #: What to log in with; None when the registry asks for no credentials.
    credentials: Credentials | None = None

    def __str__(self) -> str:
        return self.host

    def reference(self, path: str) -> str:
        """``host:port/path``: e.g. ``reference("app:1")`` is ``127.0.0.1:PORT/app:1``."""
        return f"{self.host}/{path.lstrip('/')}"


class RegistryFactory:
    """Starts embedded registries (each in its own thread) and stops them all at once.

    Call it with the registry's options; :meth:`close` (the fixture's teardown)
    stops every server it started.
    """

    def __init__(self) -> None:
        self._servers: list[RegistryServer] = []

    def __call__(
        self,
        *,
        auth: AuthKind | None = None,
        credentials: Credentials | None = None,
        gcr: bool = False,
        referrers: bool = True,
        storage: Storage | None = None,
    ) -> RunningRegistry:
        """Start a registry on ``127.0.0.1`` and a free port.

        Args:
            auth: None (default: anyone may pull and push), ``"basic"`` (HTTP basic
                on every request) or ``"token"`` (the Docker bearer-token flow).
            credentials: the one user an authenticated registry knows (default: user
                ``pytest`` with a random password); refused without ``auth``.
            gcr: answer ``tags/list`` with GCR's extended listing (default False).
            referrers: serve the OCI referrers API (default True).
            storage: where blobs and manifests live (default: a new ``MemoryStorage``).
        """
        if auth is not None and auth not in AUTH_KINDS:
            raise RegistryFixtureError(
                f"registry auth {auth!r} is unknown; use one of {', '.join(AUTH_KINDS)} or None"
            )
        if credentials is not None and auth is None:
            raise RegistryFixtureError(
                "registry credentials were given without auth; pass auth='basic' or 'token'"
            )
        if auth is not None and credentials is None:
            credentials = Credentials(DEFAULT_USERNAME, secrets.token_urlsafe(16))
        authorizer: BasicAuth | TokenAuth | None = None
        if credentials is not None:
            users = {credentials.username: credentials.password}
            authorizer = BasicAuth(users) if auth == "basic" else TokenAuth(users)
        app = Registry(storage=storage, auth=authorizer, gcr=gcr, referrers=referrers)
        server = make_server(app, address="127.0.0.1:0").start()
        self._servers.append(server)
        return RunningRegistry(f"127.0.0.1:{server.port}", app, auth, credentials)

    def close(self) -> None:
        """Stop every registry this factory started."""
        while self._servers:
            self._servers.pop().stop()
