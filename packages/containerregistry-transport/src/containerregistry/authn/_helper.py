"""The ``docker-credential-<name>`` protocol: get, store and erase over stdin/stdout."""

from __future__ import annotations

import json
import shutil
import subprocess

from containerregistry.authn._config import TOKEN_USERNAME, AuthConfig
from containerregistry.errors import ContainerRegistryError

#: What helpers print (on stdout, exit status 1) when they hold nothing for a server.
_NOT_FOUND = "credentials not found in native keychain"

#: A helper that hangs (e.g. waiting on a GUI prompt nobody sees) must not hang us forever.
_HELPER_TIMEOUT = 60.0


class CredentialHelperError(ContainerRegistryError):
    """A credential helper could not be run or answered with an error."""


class CredentialHelper:
    """One ``docker-credential-<name>`` program found on ``PATH``.

    The protocol: ``get`` reads a server URL on stdin and prints
    ``{"ServerURL", "Username", "Secret"}``; ``store`` reads that JSON; ``erase``
    reads a server URL. A username of ``<token>`` marks the secret as an identity
    token.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.program = f"docker-credential-{name}"

    def __repr__(self) -> str:
        return f"CredentialHelper({self.name!r})"

    def _run(self, action: str, payload: str, server: str) -> str:
        path = shutil.which(self.program)
        if path is None:
            raise CredentialHelperError(
                f"credential helper {self.program} for {server} is not on PATH; "
                "install it or remove it from credsStore/credHelpers in the docker config"
            )
        try:
            done = subprocess.run(
                [path, action],
                input=payload.encode(),
                capture_output=True,
                timeout=_HELPER_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CredentialHelperError(
                f"running {self.program} {action} for {server} failed: {type(exc).__name__}"
            ) from None
        out = done.stdout.decode("utf-8", "replace").strip()
        if done.returncode != 0:
            if _NOT_FOUND in out:
                raise _NotFound
            # The helper's own words are shown, but never its stdout on success,
            # which carries the secret.
            reason = (out or done.stderr.decode("utf-8", "replace").strip())[:200]
            raise CredentialHelperError(
                f"{self.program} {action} for {server} exited with {done.returncode}: {reason}"
            )
        return out

    def get(self, server: str) -> AuthConfig:
        """Return the credentials stored for ``server``; an empty config when none are."""
        try:
            out = self._run("get", server, server)
        except _NotFound:
            return AuthConfig()
        try:
            data = json.loads(out)
            username = str(data.get("Username") or "")
            secret = str(data.get("Secret") or "")
        except (ValueError, AttributeError):
            raise CredentialHelperError(
                f"{self.program} get for {server} printed something that is not the expected JSON"
            ) from None
        if username == TOKEN_USERNAME:
            return AuthConfig(username=username, identity_token=secret)
        return AuthConfig(username=username, password=secret)

    def store(self, server: str, config: AuthConfig) -> None:
        """Store ``config`` for ``server`` (an identity token goes with user ``<token>``)."""
        if config.identity_token:
            username, secret = TOKEN_USERNAME, config.identity_token
        else:
            resolved = config.resolved()
            username, secret = resolved.username, resolved.password
        payload = json.dumps({"ServerURL": server, "Username": username, "Secret": secret})
        self._run("store", payload, server)

    def erase(self, server: str) -> None:
        """Erase what is stored for ``server``; erasing nothing is not an error."""
        try:
            self._run("erase", server, server)
        except _NotFound:
            return


class _NotFound(Exception):
    """Internal: the helper holds nothing for the server."""
