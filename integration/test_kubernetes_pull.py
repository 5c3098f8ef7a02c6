"""A pull from a real registry:2 with htpasswd auth whose password exists only in a
Kubernetes pull secret, read through a kubeconfig from a stand-in API server.

The registry is a second registry:2 container with ``REGISTRY_AUTH=htpasswd`` (the
shared ``registry2_htpasswd`` fixture); the API server serves the
JSON of a ServiceAccount and a Secret on loopback, as the real one does.
"""

from __future__ import annotations

import sys
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


@pytest.fixture(scope="module")
def registry2_htpasswd_user() -> str:
    return USER


@pytest.fixture(scope="module")
def htpasswd_registry(registry2_htpasswd: tuple[str, str, str]) -> tuple[str, str]:
    """(``127.0.0.1:PORT``, password) of a registry:2 container that wants ``puller``."""
    address, _, password = registry2_htpasswd
    return address, password


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
