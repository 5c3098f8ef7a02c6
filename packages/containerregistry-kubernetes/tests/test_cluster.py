"""Reaching the cluster: kubeconfig contexts and exec plugins, in-cluster over TLS."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest
from k8s_testkit import (
    TOKEN,
    FakeAPIServer,
    auth_entry,
    dockerconfigjson_secret,
    service_account,
    write_kubeconfig,
)

from containerregistry.errors import ContainerRegistryError
from containerregistry.kubernetes import (
    ClusterConfigError,
    ClusterReader,
    KubernetesAPIError,
    KubernetesError,
    cluster_client,
    in_cluster_available,
    in_cluster_client,
    kubeconfig_available,
    kubeconfig_client,
    kubernetes_keychain,
)


def add_pull_secret(api: FakeAPIServer, user: str = "puller") -> None:
    api.add(service_account(image_pull_secrets=("regcred",)))
    api.add(dockerconfigjson_secret("regcred", {"reg.example.com": auth_entry(user, "pw")}))


def username(keychain: object, target: str) -> str:
    return str(keychain.resolve(target).authorization().username)  # type: ignore[attr-defined]


def test_errors_share_the_root() -> None:
    assert issubclass(ClusterConfigError, KubernetesError)
    assert issubclass(KubernetesAPIError, KubernetesError)
    assert issubclass(KubernetesError, ContainerRegistryError)


def test_reader_returns_api_json(api: FakeAPIServer, kubeconfig: Path) -> None:
    add_pull_secret(api)
    client = kubeconfig_client()
    try:
        reader = ClusterReader(client)
        account = reader.service_account("default", "default")
        assert account is not None
        assert account["imagePullSecrets"] == [{"name": "regcred"}]
        assert reader.secret("default", "missing") is None
    finally:
        client.close()
    assert {r.authorization for r in api.requests} == {f"Bearer {TOKEN}"}


def test_kubeconfig_contexts(tmp_path: Path, api: FakeAPIServer) -> None:
    other = FakeAPIServer("other-token")
    try:
        add_pull_secret(api, "from-test")
        add_pull_secret(other, "from-other")
        path = write_kubeconfig(
            tmp_path / "kc",
            {
                "test": (api.url, {"token": TOKEN}),
                "other": (other.url, {"token": "other-token"}),
            },
            current="test",
        )
        assert username(kubernetes_keychain(kubeconfig=path), "reg.example.com") == "from-test"
        chosen = kubernetes_keychain(kubeconfig=path, context="other")
        assert username(chosen, "reg.example.com") == "from-other"
        with pytest.raises(ClusterConfigError, match="context 'nope'"):
            kubernetes_keychain(kubeconfig=path, context="nope")
    finally:
        other.close()


def test_kubeconfig_list_in_environment(
    tmp_path: Path, api: FakeAPIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_pull_secret(api)
    path = write_kubeconfig(tmp_path / "kc", {"t": (api.url, {"token": TOKEN})}, current="t")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'absent'}:{path}")
    assert kubeconfig_available()
    assert username(kubernetes_keychain(), "reg.example.com") == "puller"


def test_exec_plugin_supplies_the_token(tmp_path: Path, api: FakeAPIServer) -> None:
    add_pull_secret(api)
    plugin = tmp_path / "token-plugin.py"
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": TOKEN},
    }
    plugin.write_text(f"import json\nprint(json.dumps({credential!r}))\n")
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [str(plugin)],
            "interactiveMode": "Never",
        }
    }
    path = write_kubeconfig(tmp_path / "kc", {"exec": (api.url, user)}, current="exec")
    assert username(kubernetes_keychain(kubeconfig=path), "reg.example.com") == "puller"


def test_kubeconfig_is_not_rewritten(tmp_path: Path, api: FakeAPIServer) -> None:
    add_pull_secret(api)
    path = write_kubeconfig(tmp_path / "kc", {"t": (api.url, {"token": TOKEN})}, current="t")
    before = path.read_bytes()
    kubernetes_keychain(kubeconfig=path)
    assert path.read_bytes() == before


def test_broken_kubeconfig(tmp_path: Path) -> None:
    path = tmp_path / "kc"
    path.write_text("{ this is: [not yaml")
    with pytest.raises(ClusterConfigError, match="kubectl config view"):
        kubeconfig_client(kubeconfig=path)


# --- in-cluster: token and CA files, KUBERNETES_SERVICE_HOST/PORT, HTTPS -----------------


@pytest.fixture
def pod(tmp_path: Path, tls: tuple[Path, Path, Path], tls_api: FakeAPIServer) -> dict[str, object]:
    """What the kubelet gives a pod: a token and CA mount, and the service variables."""
    mount = tmp_path / "serviceaccount"
    mount.mkdir()
    (mount / "token").write_text(TOKEN)
    (mount / "ca.crt").write_bytes(tls[0].read_bytes())
    env = {"KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": str(tls_api.port)}
    return {"token_file": mount / "token", "ca_file": mount / "ca.crt", "env": env}


def test_in_cluster(pod: dict[str, object], tls_api: FakeAPIServer) -> None:
    add_pull_secret(tls_api, "in-cluster")
    assert in_cluster_available(token_file=pod["token_file"], env=pod["env"])  # type: ignore[arg-type]
    client = in_cluster_client(**pod)  # type: ignore[arg-type]
    try:
        keychain = kubernetes_keychain(api_client=client)
    finally:
        client.close()
    assert username(keychain, "reg.example.com/app") == "in-cluster"
    assert tls_api.requests[0].authorization.lower() == f"bearer {TOKEN}"


def test_cluster_client_falls_back_to_in_cluster(
    pod: dict[str, object], tls_api: FakeAPIServer
) -> None:
    add_pull_secret(tls_api, "auto")
    client = cluster_client(**pod)  # type: ignore[arg-type]
    try:
        assert client.configuration.host == f"https://127.0.0.1:{tls_api.port}"
        assert username(kubernetes_keychain(api_client=client), "reg.example.com") == "auto"
    finally:
        client.close()


def test_in_cluster_rejects_an_unknown_ca(
    pod: dict[str, object], tls_api: FakeAPIServer, tmp_path: Path
) -> None:
    from k8s_testkit import make_tls

    stranger_ca = make_tls(tmp_path / "stranger")[0]
    Path(str(pod["ca_file"])).write_bytes(stranger_ca.read_bytes())
    client = in_cluster_client(**pod)  # type: ignore[arg-type]
    client.configuration.retries = 0
    try:
        with pytest.raises(KubernetesAPIError, match="reachable"):
            kubernetes_keychain(api_client=client)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("env", "token", "match"),
    [
        pytest.param({}, True, "no Kubernetes configuration", id="no-service-variables"),
        pytest.param(
            {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"},
            False,
            "no Kubernetes configuration",
            id="no-token-file",
        ),
    ],
)
def test_outside_a_cluster(tmp_path: Path, env: dict[str, str], token: bool, match: str) -> None:
    token_file = tmp_path / "token"
    if token:
        token_file.write_text("t")
    with pytest.raises(ClusterConfigError, match=match):
        cluster_client(token_file=token_file, env=env)


def test_in_cluster_without_ca(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("t")
    env = {"KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    with pytest.raises(ClusterConfigError, match="in-cluster"):
        in_cluster_client(token_file=token_file, ca_file=tmp_path / "none.crt", env=env)


def test_credentials_never_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "kc"
    path.write_text(json.dumps({"users": [{"name": "u", "user": {"token": "s3cr3t"}}]}))
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    with pytest.raises(ClusterConfigError) as caught:
        kubeconfig_client(kubeconfig=path, context="missing")
    assert "s3cr3t" not in str(caught.value)


def test_importing_loads_no_client() -> None:
    """The kubernetes client (and google-auth) load only when a cluster is asked."""
    import subprocess

    code = (
        "import sys, containerregistry.kubernetes\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('kubernetes', 'google', 'yaml')]\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
