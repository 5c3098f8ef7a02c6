"""kcrane against a real registry:2 with htpasswd auth whose login exists only in a
Kubernetes pull secret, served by the loopback API stand-in through a kubeconfig.

Each command runs the real entry point (``python -m containerregistry.kcrane.cli``)
in a child process; the registry is a second registry:2 container with
``REGISTRY_AUTH=htpasswd`` (the shared ``registry2_htpasswd`` fixture).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


@pytest.fixture(scope="module")
def registry2_htpasswd_user() -> str:
    return USER


@pytest.fixture(scope="module")
def locked_registry(registry2_htpasswd: tuple[str, str, str]) -> tuple[str, str]:
    """(``127.0.0.1:PORT``, password) of a registry:2 container that wants ``USER``."""
    address, _, password = registry2_htpasswd
    return address, password


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
