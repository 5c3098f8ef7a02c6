"""A pull from a real registry:2 with htpasswd auth whose password exists only in a
Kubernetes pull secret, read through a kubeconfig from a stand-in API server.

The registry is a second registry:2 container (the image ``tools/services up``
builds), started here with ``REGISTRY_AUTH=htpasswd``; the API server serves the
JSON of a ServiceAccount and a Secret on loopback, as the real one does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
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

# The stand-in API server lives with the package's unit tests; one implementation.
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
from containerregistry.authn import Basic
from containerregistry.kubernetes import k8schain
from containerregistry.transport import RegistryError

USER = "puller"
API_TOKEN = "integration-sa-token"


def bcrypt(password: str) -> str:
    """A bcrypt hash (all registry:2 accepts in htpasswd) from the system's libcrypt."""
    found = ctypes.util.find_library("crypt")
    if found is None:
        pytest.fail("libcrypt is missing; install Debian's libcrypt1")
    lib = ctypes.CDLL(found)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    salt = "$2b$05$" + "".join(secrets.choice(alphabet) for _ in range(21)) + "u"
    hashed = lib.crypt(password.encode(), salt.encode())
    if not hashed or not hashed.startswith(b"$2b$"):
        pytest.fail("libcrypt cannot make bcrypt hashes here")
    return str(hashed.decode())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def htpasswd_registry(
    docker_cli: str, registry2_address: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(``127.0.0.1:PORT``, password) of a registry:2 container that wants ``puller``."""
    password = secrets.token_urlsafe(16)
    auth_dir = tmp_path_factory.mktemp("htpasswd")
    (auth_dir / "htpasswd").write_text(f"{USER}:{bcrypt(password)}\n")
    os.chmod(auth_dir, 0o755)
    port = free_port()
    address = f"127.0.0.1:{port}"
    settings = {
        "REGISTRY_HTTP_ADDR": address,
        "REGISTRY_AUTH": "htpasswd",
        "REGISTRY_AUTH_HTPASSWD_REALM": "kubernetes-integration",
        "REGISTRY_AUTH_HTPASSWD_PATH": "/auth/htpasswd",
    }
    environment = [arg for key, value in settings.items() for arg in ("-e", f"{key}={value}")]
    mount = ["-v", f"{auth_dir}:/auth:ro"]
    started = subprocess.run(
        [docker_cli, "run", "-d", "--rm", "--network", "host", *environment, *mount, "registry:2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if started.returncode != 0:
        pytest.fail(f"cannot start registry:2 with htpasswd: {started.stderr.strip()}")
    container = started.stdout.strip()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://{address}/v2/", timeout=2)
                pytest.fail("registry:2 answered /v2/ without credentials; auth is not on")
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"registry:2 with htpasswd did not answer on {address}")
            time.sleep(0.2)
        yield address, password
    finally:
        subprocess.run(
            [docker_cli, "rm", "-f", container], capture_output=True, timeout=60, check=False
        )


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAPIServer]:
    api = FakeAPIServer(API_TOKEN)
    path = write_kubeconfig(
        tmp_path / "kubeconfig", {"ci": (api.url, {"token": API_TOKEN})}, current="ci"
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "empty-docker-config"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "no-auth.json"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    yield api
    api.close()


def test_pull_through_a_pull_secret(
    htpasswd_registry: tuple[str, str], cluster: FakeAPIServer
) -> None:
    address, password = htpasswd_registry
    ref = name.parse_reference(f"{address}/kubernetes/pulled:v1")
    image = random.image(2048, 2, seed=11)
    remote.write(ref, image, authenticator=Basic(USER, password))

    with pytest.raises(RegistryError):  # the docker config knows nothing: anonymous fails
        remote.get(ref)

    cluster.add(service_account("builder", namespace="ci", image_pull_secrets=("regcred",)))
    cluster.add(
        dockerconfigjson_secret(
            "regcred", {f"http://{address}": auth_entry(USER, password)}, namespace="ci"
        )
    )
    keychain = k8schain(namespace="ci", service_account="builder")
    pulled = remote.image(ref, keychain=keychain)
    assert pulled.digest() == image.digest()
    assert pulled.raw_manifest() == image.raw_manifest()
    assert pulled.raw_config_file() == image.raw_config_file()
    assert cluster.paths() == [
        "/api/v1/namespaces/ci/serviceaccounts/builder",
        "/api/v1/namespaces/ci/secrets/regcred",
    ]
