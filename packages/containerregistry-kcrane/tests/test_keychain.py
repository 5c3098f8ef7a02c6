"""KcraneKeychain: the k8schain, made once on the first lookup, for the flags it was given."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from k8s_testkit import FakeAPIServer
from kcrane_testkit import PASSWORD, USER, pull_secret, write_docker_config

from containerregistry import name
from containerregistry.authn import ANONYMOUS
from containerregistry.kcrane import KcraneKeychain

REGISTRY = "registry.example.com"


def login(keychain: KcraneKeychain, registry: str = REGISTRY) -> tuple[str, str] | None:
    found = keychain.resolve(name.parse_reference(f"{registry}/team/app:v1"))
    if found is ANONYMOUS:
        return None
    config = found.authorization()
    return (str(config.username), str(config.password))


@pytest.mark.usefixtures("kubeconfig")
def test_the_cluster_is_read_once_on_the_first_lookup(api: FakeAPIServer) -> None:
    pull_secret(api, REGISTRY)
    keychain = KcraneKeychain()
    assert api.paths() == []  # made, not yet asked

    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: login(keychain), range(16)))

    assert found == [(USER, PASSWORD)] * 16
    assert api.paths() == [
        "/api/v1/namespaces/default/serviceaccounts/default",
        "/api/v1/namespaces/default/secrets/regcred",
    ]


@pytest.mark.parametrize(
    ("no_cluster", "expected"),
    [
        pytest.param(False, (USER, PASSWORD), id="secret-before-docker-config"),
        pytest.param(True, ("docker-user", "docker-password"), id="no-cluster-docker-config"),
    ],
)
@pytest.mark.usefixtures("kubeconfig")
def test_no_cluster_leaves_the_secrets_out(
    api: FakeAPIServer, tmp_path: Path, no_cluster: bool, expected: tuple[str, str]
) -> None:
    pull_secret(api, REGISTRY)
    write_docker_config(tmp_path / "docker", REGISTRY, "docker-user", "docker-password")
    assert login(KcraneKeychain(no_cluster=no_cluster)) == expected


def test_without_a_cluster_unknown_registries_are_anonymous() -> None:
    assert login(KcraneKeychain()) is None


def test_repr_names_the_flags_and_no_secret() -> None:
    keychain = KcraneKeychain(namespace="ci", image_pull_secrets=["regcred"])
    assert repr(keychain) == (
        "KcraneKeychain(namespace='ci', service_account='default', "
        "image_pull_secrets=['regcred'], no_cluster=False)"
    )
