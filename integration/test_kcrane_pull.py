"""kcrane against a real registry:2 with htpasswd auth whose login exists only in a
Kubernetes pull secret, served by the loopback API stand-in through a kubeconfig.

Each command runs the real entry point (``python -m containerregistry.kcrane.cli``)
in a child process; the registry is a second container of the registry:2 image that
``tools/services up`` builds, started here with ``REGISTRY_AUTH=htpasswd``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

# One stand-in API server for every test: the kubernetes package's.
sys.path.insert(
    0, str(Path(__file__).resolve().parents[1] / "packages/containerregistry-kubernetes/tests")
)

from k8s_testkit import (
    FakeAPIServer,
    auth_entry,
    dockerconfigjson_secret,
    service_account,
    write_kubeconfig,
)

from containerregistry import name, random, remote
from containerregistry.authn import Basic, encode_auth
from containerregistry.v1 import Image

USER = "kcrane-puller"
API_TOKEN = "kcrane-integration-token"
# Salt characters of bcrypt's own base64 alphabet.
_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def htpasswd_line(user: str, password: str) -> str:
    """``user:$2b$...``: registry:2 reads only bcrypt hashes; libcrypt makes them."""
    library = ctypes.util.find_library("crypt")
    if library is None:
        pytest.fail("libcrypt is missing (Debian's libcrypt1); registry:2 needs bcrypt")
    crypt = ctypes.CDLL(library).crypt
    crypt.restype = ctypes.c_char_p
    crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    # Cost 5, the lowest libcrypt accepts: the test is about who may log in, not hashing.
    salt = "$2b$05$" + "".join(secrets.choice(_BCRYPT_ALPHABET) for _ in range(22))
    hashed = crypt(password.encode(), salt.encode())
    if not hashed or not hashed.startswith(b"$2b$"):
        pytest.fail("libcrypt made no bcrypt hash")
    return f"{user}:{hashed.decode()}\n"


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def locked_registry(
    docker_cli: str, registry2_address: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(``127.0.0.1:PORT``, password) of a registry:2 container that wants ``USER``."""
    password = secrets.token_urlsafe(18)
    auth = tmp_path_factory.mktemp("kcrane-htpasswd")
    (auth / "htpasswd").write_text(htpasswd_line(USER, password))
    auth.chmod(0o755)  # the registry in the container reads it as another user
    address = f"127.0.0.1:{unused_port()}"
    settings = {
        "REGISTRY_HTTP_ADDR": address,
        "REGISTRY_AUTH": "htpasswd",
        "REGISTRY_AUTH_HTPASSWD_REALM": "kcrane-integration",
        "REGISTRY_AUTH_HTPASSWD_PATH": "/auth/htpasswd",
    }
    run = [docker_cli, "run", "-d", "--rm", "--network", "host", "-v", f"{auth}:/auth:ro"]
    for key, value in settings.items():
        run += ["-e", f"{key}={value}"]
    started = subprocess.run(
        [*run, "registry:2"], capture_output=True, text=True, timeout=120, check=False
    )
    if started.returncode != 0:
        pytest.fail(f"cannot start registry:2 with htpasswd auth: {started.stderr.strip()}")
    container = started.stdout.strip()
    try:
        _wait_for_401(address)
        yield address, password
    finally:
        subprocess.run(
            [docker_cli, "rm", "-f", container], capture_output=True, timeout=60, check=False
        )


def _wait_for_401(address: str) -> None:
    """Wait until ``/v2/`` refuses an anonymous request, as a locked registry must."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{address}/v2/", timeout=2)
        except urllib.error.HTTPError as refused:
            if refused.code == 401:
                return
        except OSError:
            pass  # not listening yet
        else:
            pytest.fail("registry:2 answered /v2/ without credentials; auth is off")
        time.sleep(0.2)
    pytest.fail(f"registry:2 with htpasswd auth did not answer on {address}")


@pytest.fixture
def cluster() -> Iterator[FakeAPIServer]:
    api = FakeAPIServer(API_TOKEN)
    yield api
    api.close()


@pytest.fixture
def environment(tmp_path: Path, cluster: FakeAPIServer) -> dict[str, str]:
    """The children's environment: a kubeconfig reaching ``cluster``, nothing else to read."""
    kubeconfig = write_kubeconfig(
        tmp_path / "kubeconfig", {"ci": (cluster.url, {"token": API_TOKEN})}, current="ci"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBERNETES_", "GITHUB_"))}
    env.pop("XDG_RUNTIME_DIR", None)
    env.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    env.update(
        KUBECONFIG=str(kubeconfig),
        DOCKER_CONFIG=str(tmp_path / "docker"),
        REGISTRY_AUTH_FILE=str(tmp_path / "auth.json"),
        CLOUDSDK_CONFIG=str(tmp_path / "gcloud"),
        HOME=str(tmp_path / "home"),
    )
    return env


def cli(tool: str, *argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    module = "containerregistry.crane.cli" if tool == "crane" else "containerregistry.kcrane.cli"
    return subprocess.run(
        [sys.executable, "-m", module, *argv], env=env, capture_output=True, timeout=120
    )


@pytest.fixture
def pushed(locked_registry: tuple[str, str]) -> tuple[str, Image]:
    address, password = locked_registry
    image = random.image(2048, 2, seed=23)
    ref = f"{address}/kcrane/app:v1"
    remote.write(name.parse_reference(ref), image, authenticator=Basic(USER, password))
    return ref, image


def test_kcrane_digest_manifest_and_copy_through_a_pull_secret(
    locked_registry: tuple[str, str],
    cluster: FakeAPIServer,
    environment: dict[str, str],
    pushed: tuple[str, Image],
) -> None:
    address, password = locked_registry
    ref, image = pushed
    cluster.add(service_account("builder", namespace="ci", image_pull_secrets=("regcred",)))
    cluster.add(
        dockerconfigjson_secret("regcred", {address: auth_entry(USER, password)}, namespace="ci")
    )
    flags = ["--namespace", "ci", "--service-account", "builder"]

    digest = cli("kcrane", *flags, "digest", ref, env=environment)
    assert (digest.returncode, digest.stdout) == (0, f"{image.digest()}\n".encode())
    manifest = cli("kcrane", *flags, "manifest", ref, env=environment)
    assert (manifest.returncode, manifest.stdout) == (0, image.raw_manifest())
    copied = cli("kcrane", *flags, "copy", ref, f"{address}/kcrane/copy:v2", env=environment)
    assert copied.returncode == 0, copied.stderr.decode()

    found = remote.get(
        name.parse_reference(f"{address}/kcrane/copy:v2"), authenticator=Basic(USER, password)
    )
    assert found.digest == image.digest()
    assert cluster.paths()[:2] == [
        "/api/v1/namespaces/ci/serviceaccounts/builder",
        "/api/v1/namespaces/ci/secrets/regcred",
    ]


def test_crane_is_refused_without_the_secret(
    locked_registry: tuple[str, str],
    cluster: FakeAPIServer,
    environment: dict[str, str],
    pushed: tuple[str, Image],
) -> None:
    address, password = locked_registry
    cluster.add(service_account(image_pull_secrets=("regcred",)))
    cluster.add(dockerconfigjson_secret("regcred", {address: auth_entry(USER, password)}))

    refused = cli("crane", "digest", pushed[0], env=environment)
    assert (refused.returncode, refused.stdout) == (1, b"")
    error = refused.stderr.decode().splitlines()[-1]
    assert error.startswith("Error: ")
    assert "UNAUTHORIZED" in error
    assert password not in refused.stderr.decode()
    assert cluster.paths() == []


def test_no_cluster_uses_the_docker_config(
    locked_registry: tuple[str, str],
    cluster: FakeAPIServer,
    environment: dict[str, str],
    pushed: tuple[str, Image],
) -> None:
    address, password = locked_registry
    docker = Path(environment["DOCKER_CONFIG"])
    docker.mkdir()
    entry = {"auth": encode_auth(USER, password)}
    (docker / "config.json").write_text(json.dumps({"auths": {address: entry}}))

    done = cli("kcrane", "--no-cluster", "digest", pushed[0], env=environment)
    assert (done.returncode, done.stdout) == (0, f"{pushed[1].digest()}\n".encode())
    assert cluster.paths() == []
