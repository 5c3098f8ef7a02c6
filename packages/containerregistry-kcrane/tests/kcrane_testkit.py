"""Helpers of the kcrane tests (imported by name; ``conftest`` puts this folder on
``sys.path``): the locked registry's login, running the CLIs, secrets and docker configs."""

from __future__ import annotations

import json
from pathlib import Path

from k8s_testkit import FakeAPIServer, auth_entry, dockerconfigjson_secret, service_account
from typer.testing import CliRunner

from containerregistry.authn import encode_auth
from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.kcrane.cli import build_app

#: The only credentials the locked registry accepts.
USER, PASSWORD = "puller", "from-a-secret"


def run(*argv: str, tool: str = "kcrane") -> tuple[int, bytes, str]:
    """Run kcrane (``tool`` kcrane or krane) or crane with ``argv``: (exit code, stdout, stderr)."""
    # Built for argv, as main() builds it: only the commands argv names are loaded.
    if tool in ("kcrane", "krane"):
        app = build_app(tool, argv=argv)
    else:
        app = build_crane_app(tool, argv=argv)
    result = CliRunner().invoke(app, list(argv))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def pull_secret(
    api: FakeAPIServer, registry: str, *, secret: str = "regcred", password: str = PASSWORD
) -> None:
    """The default service account pulls with ``secret``, which holds a login for ``registry``."""
    api.add(service_account(image_pull_secrets=(secret,)))
    api.add(dockerconfigjson_secret(secret, {registry: auth_entry(USER, password)}))


def write_docker_config(directory: Path, registry: str, user: str, password: str) -> None:
    """Write ``directory/config.json`` (a ``$DOCKER_CONFIG``) with a login for ``registry``."""
    directory.mkdir(parents=True, exist_ok=True)
    entry = {"auth": encode_auth(user, password)}
    (directory / "config.json").write_text(json.dumps({"auths": {registry: entry}}))
