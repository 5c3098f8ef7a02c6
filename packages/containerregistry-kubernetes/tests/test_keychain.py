"""The pull-secret keychain: which secret wins, which types count, what a cluster gives."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import pytest
from k8s_testkit import (
    FakeAPIServer,
    auth_entry,
    b64,
    dockercfg_secret,
    dockerconfigjson_secret,
    service_account,
    token_secret,
)

from containerregistry import name
from containerregistry.authn import ANONYMOUS
from containerregistry.kubernetes import (
    ClusterConfigError,
    KubernetesAPIError,
    keychain_from_secrets,
    kubernetes_keychain,
)


def user_of(keychain: Any, target: Any) -> str | None:
    found = keychain.resolve(target)
    if found is ANONYMOUS:
        return None
    return str(found.authorization().username)


@pytest.mark.parametrize(
    ("secrets", "target", "want"),
    [
        pytest.param(
            [
                dockerconfigjson_secret("first", {"quay.io": auth_entry("first", "p")}),
                dockerconfigjson_secret("second", {"quay.io": auth_entry("second", "p")}),
            ],
            "quay.io/a/b",
            "first",
            id="earlier-secret-wins-same-key",
        ),
        pytest.param(
            [
                dockerconfigjson_secret("host", {"quay.io": auth_entry("host", "p")}),
                dockerconfigjson_secret("repo", {"quay.io/team": auth_entry("team", "p")}),
            ],
            "quay.io/team/app",
            "team",
            id="longer-key-beats-earlier-secret",
        ),
        pytest.param(
            [
                dockerconfigjson_secret("host", {"quay.io": auth_entry("host", "p")}),
                dockerconfigjson_secret("repo", {"quay.io/team": auth_entry("team", "p")}),
            ],
            "quay.io/other/app",
            "host",
            id="host-key-for-other-repositories",
        ),
        pytest.param(
            [
                dockerconfigjson_secret("glob", {"*.gcr.io": auth_entry("glob", "p")}),
                dockerconfigjson_secret("exact", {"us.gcr.io": auth_entry("exact", "p")}),
            ],
            "us.gcr.io/p/i",
            "exact",
            id="exact-label-before-glob",
        ),
        pytest.param(
            [dockerconfigjson_secret("hub", {"https://index.docker.io/v1/": auth_entry("u", "p")})],
            name.parse_reference("ubuntu"),
            "u",
            id="docker-hub-login-key",
        ),
        pytest.param(
            [dockerconfigjson_secret("hub", {"docker.io": auth_entry("u", "p")})],
            name.parse_reference("docker.io/library/ubuntu:22.04").context,
            "u",
            id="docker-io-key-for-hub",
        ),
        pytest.param(
            [dockercfg_secret("old", {"https://quay.io": auth_entry("old", "p")})],
            "quay.io/x",
            "old",
            id="dockercfg-type",
        ),
        pytest.param(
            [dockerconfigjson_secret("other", {"quay.io": auth_entry("u", "p")})],
            "gcr.io/x",
            None,
            id="no-match-anonymous",
        ),
        pytest.param(
            [dockerconfigjson_secret("port", {"localhost:5000": auth_entry("u", "p")})],
            name.parse_reference("localhost:5000/app:1"),
            "u",
            id="tag-resolves-as-repository",
        ),
        pytest.param(
            [dockerconfigjson_secret("port", {"localhost:5000": auth_entry("u", "p")})],
            name.parse_reference("localhost:5001/app:1").context.registry,
            None,
            id="registry-other-port",
        ),
    ],
)
def test_priority_and_matching(secrets: list[dict[str, Any]], target: Any, want: str) -> None:
    assert user_of(keychain_from_secrets(secrets), target) == want


def test_credentials_of_an_entry() -> None:
    secret = dockerconfigjson_secret(
        "s",
        {
            "auth-only.io": {"auth": b64("alice:s3cret"), "email": "a@example.com"},
            "token.io": {"identitytoken": "refresh-me"},
            "Upper.io": {"Username": "bob", "Password": "pw"},
        },
    )
    keychain = keychain_from_secrets([secret])
    alice = keychain.resolve("auth-only.io").authorization()
    assert (alice.username, alice.password) == ("alice", "s3cret")
    assert keychain.resolve("token.io").authorization().identity_token == "refresh-me"
    bob = keychain.resolve("upper.io").authorization()
    assert (bob.username, bob.password) == ("bob", "pw")


def test_only_docker_secret_types_count() -> None:
    opaque = dockerconfigjson_secret("opaque", {"quay.io": auth_entry("u", "p")})
    opaque["type"] = "Opaque"
    wrong_key = dockerconfigjson_secret("wrong", {"quay.io": auth_entry("u", "p")})
    wrong_key["type"] = "kubernetes.io/dockercfg"  # data is under .dockerconfigjson
    keychain = keychain_from_secrets([opaque, wrong_key, token_secret("t")])
    assert keychain.keys == ()
    assert keychain.resolve("quay.io") is ANONYMOUS


def test_string_data_and_client_objects() -> None:
    class Meta:
        name = "obj"
        namespace = "ns"

    class V1SecretLike:
        type = "kubernetes.io/dockerconfigjson"
        data: ClassVar[dict[str, str]] = {
            ".dockerconfigjson": b64('{"auths": {"a.io": {"username": "o", "password": "p"}}}')
        }
        string_data = None
        metadata = Meta()

    manifest = {
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {
            ".dockerconfigjson": '{"auths": {"b.io": {"username": "m", "password": "p"}}}'
        },
    }
    keychain = keychain_from_secrets([V1SecretLike(), manifest])
    assert keychain.keys == ("b.io", "a.io")
    assert user_of(keychain, "a.io") == "o"
    assert user_of(keychain, "b.io") == "m"


def test_broken_secrets_are_warnings(caplog: pytest.LogCaptureFixture) -> None:
    not_json = dockerconfigjson_secret("notjson", {})
    not_json["data"][".dockerconfigjson"] = b64("{nope")
    not_base64 = dockerconfigjson_secret("notb64", {})
    not_base64["data"][".dockerconfigjson"] = "%%%"
    bad_auth = dockerconfigjson_secret("badauth", {"bad.io": {"auth": b64("no-colon")}})
    good = dockerconfigjson_secret("good", {"good.io": auth_entry("g", "p")})
    with caplog.at_level(logging.WARNING, logger="containerregistry.warn"):
        keychain = keychain_from_secrets([not_json, not_base64, bad_auth, good])
    assert keychain.keys == ("good.io",)
    messages = "\n".join(r.getMessage() for r in caplog.records)
    assert "default/notjson" in messages
    assert "default/notb64" in messages
    assert "default/badauth" in messages
    assert "no-colon" not in messages
    assert b64("no-colon") not in messages


def test_lookup_lists_every_match_in_order() -> None:
    keychain = keychain_from_secrets(
        [
            dockerconfigjson_secret("a", {"quay.io": auth_entry("a", "p")}),
            dockerconfigjson_secret("b", {"quay.io/team": auth_entry("b", "p")}),
            dockerconfigjson_secret("c", {"quay.io": auth_entry("c", "p")}),
        ]
    )
    assert [c.username for c in keychain.lookup("quay.io/team/x")] == ["b", "a", "c"]


# --- through a cluster: the API server on loopback, reached with a kubeconfig ----------


def regcred(name_: str, user: str, registry: str = "registry.example.com") -> dict[str, Any]:
    return dockerconfigjson_secret(name_, {registry: auth_entry(user, "pw")})


def test_secret_order_from_the_cluster(api: FakeAPIServer, kubeconfig: Path) -> None:
    api.add(service_account("builder", image_pull_secrets=("from-sa",), secrets=("mounted",)))
    api.add(regcred("named", "named-user"))
    api.add(regcred("from-sa", "sa-user"))
    api.add(regcred("mounted", "mounted-user"))
    keychain = kubernetes_keychain(service_account="builder", image_pull_secrets=["named"])
    assert user_of(keychain, "registry.example.com/app") == "named-user"
    assert [c.username for c in keychain.lookup("registry.example.com/app")] == [
        "named-user",
        "sa-user",
    ]
    assert api.paths() == [
        "/api/v1/namespaces/default/serviceaccounts/builder",
        "/api/v1/namespaces/default/secrets/named",
        "/api/v1/namespaces/default/secrets/from-sa",
    ]


def test_mount_secrets_come_last(api: FakeAPIServer, kubeconfig: Path) -> None:
    api.add(service_account(image_pull_secrets=("from-sa",), secrets=("mounted", "token")))
    api.add(regcred("from-sa", "sa-user", registry="a.example.com"))
    api.add(regcred("mounted", "mounted-user"))
    api.add(token_secret("token"))
    keychain = kubernetes_keychain(use_mount_secrets=True)
    assert user_of(keychain, "registry.example.com/app") == "mounted-user"
    assert user_of(keychain, "a.example.com/app") == "sa-user"
    assert api.paths()[-1] == "/api/v1/namespaces/default/secrets/token"


def test_namespace_and_no_service_account(api: FakeAPIServer, kubeconfig: Path) -> None:
    api.add(regcred("named", "ns-user") | {"metadata": {"name": "named", "namespace": "team"}})
    keychain = kubernetes_keychain(
        namespace="team", service_account=None, image_pull_secrets=["named"]
    )
    assert user_of(keychain, "registry.example.com/app") == "ns-user"
    assert api.paths() == ["/api/v1/namespaces/team/secrets/named"]


def test_missing_objects_are_warnings(
    api: FakeAPIServer, kubeconfig: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api.add(regcred("present", "u"))
    with caplog.at_level(logging.WARNING, logger="containerregistry.warn"):
        keychain = kubernetes_keychain(image_pull_secrets=["gone", "present"])
    assert user_of(keychain, "registry.example.com/x") == "u"
    messages = [r.getMessage() for r in caplog.records]
    assert any("secret default/gone not found" in m for m in messages)
    assert any("serviceaccount default/default not found" in m for m in messages)


def test_missing_pull_secret_of_service_account(
    api: FakeAPIServer, kubeconfig: Path, caplog: pytest.LogCaptureFixture
) -> None:
    api.add(service_account(image_pull_secrets=("deleted",)))
    with caplog.at_level(logging.WARNING, logger="containerregistry.warn"):
        keychain = kubernetes_keychain()
    assert keychain.keys == ()
    assert any("secret default/deleted not found" in r.getMessage() for r in caplog.records)


def test_forbidden_is_an_error(api: FakeAPIServer, kubeconfig: Path) -> None:
    api.add(service_account(image_pull_secrets=("locked",)))
    api.forbidden.add("/api/v1/namespaces/default/secrets/locked")
    with pytest.raises(KubernetesAPIError, match=r"secret default/locked .* 403") as caught:
        kubernetes_keychain()
    assert caught.value.status == 403
    assert "RBAC" in str(caught.value)


def test_wrong_token_is_an_error(api: FakeAPIServer, tmp_path: Path) -> None:
    from k8s_testkit import write_kubeconfig

    path = write_kubeconfig(
        tmp_path / "kc", {"c": (api.url, {"token": "not-the-token"})}, current="c"
    )
    with pytest.raises(KubernetesAPIError, match="401") as caught:
        kubernetes_keychain(kubeconfig=path)
    assert "not-the-token" not in str(caught.value)


def test_unreachable_api_server(tmp_path: Path) -> None:
    from k8s_testkit import write_kubeconfig

    server = FakeAPIServer("t")
    url = server.url
    server.close()  # nothing listens there any more
    path = write_kubeconfig(tmp_path / "kc", {"c": (url, {"token": "t"})}, current="c")
    from kubernetes import client as kube_client

    from containerregistry.kubernetes import kubeconfig_client

    api_client = kubeconfig_client(kubeconfig=path)
    api_client.configuration.retries = 0
    try:
        with pytest.raises(KubernetesAPIError, match="reachable"):
            kubernetes_keychain(api_client=api_client)
    finally:
        api_client.close()
    assert isinstance(api_client, kube_client.ApiClient)


def test_no_cluster_at_all() -> None:
    with pytest.raises(ClusterConfigError, match="no Kubernetes configuration"):
        kubernetes_keychain()
