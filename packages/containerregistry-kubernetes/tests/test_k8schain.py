"""The k8schain: pull secrets first, then docker, Google, GitHub and cloud helpers; a pull
from a registry whose password exists only in a secret."""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from k8s_testkit import TOKEN, FakeAPIServer, auth_entry, dockerconfigjson_secret, service_account

from containerregistry import name, random, remote
from containerregistry.authn import ANONYMOUS, Basic, encode_auth
from containerregistry.kubernetes import (
    ACR_HOSTS,
    ECR_HOSTS,
    GitHubKeychain,
    HelperKeychain,
    cloud_keychains,
    k8schain,
)
from containerregistry.registry import BasicAuth, MemoryStorage, Registry, make_server
from containerregistry.transport import RegistryError

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


@pytest.fixture
def locked_registry() -> Iterator[str]:
    """An embedded registry that wants user ``puller``, password ``from-a-secret``."""
    app = Registry(storage=MemoryStorage(), auth=BasicAuth({"puller": "from-a-secret"}))
    server = make_server(app, address="127.0.0.1:0").start()
    yield f"127.0.0.1:{server.port}"
    server.stop()


def test_pull_with_credentials_only_in_a_secret(
    api: FakeAPIServer, kubeconfig: Path, locked_registry: str
) -> None:
    ref = name.parse_reference(f"{locked_registry}/team/app:v1")
    image = random.image(1024, 2, seed=7)
    remote.write(ref, image, authenticator=Basic("puller", "from-a-secret"))

    with pytest.raises(RegistryError):  # nothing in the docker config: anonymous fails
        remote.get(ref)

    api.add(service_account(image_pull_secrets=("regcred",)))
    api.add(
        dockerconfigjson_secret(
            "regcred",
            {
                # Same host without the port: must not be used.
                "127.0.0.1": auth_entry("wrong", "wrong"),
                locked_registry: auth_entry("puller", "from-a-secret"),
            },
        )
    )
    fetched = remote.get(ref, keychain=k8schain())
    assert fetched.manifest == image.raw_manifest()
    assert fetched.digest == image.digest()


def test_secrets_come_before_the_docker_config(
    api: FakeAPIServer, kubeconfig: Path, tmp_path: Path
) -> None:
    docker = tmp_path / "docker"
    docker.mkdir()
    entry = {"auth": encode_auth("from-docker", "pw")}
    (docker / "config.json").write_text(json.dumps({"auths": {"reg.example.com": entry}}))
    api.add(service_account(image_pull_secrets=("regcred",)))
    api.add(dockerconfigjson_secret("regcred", {"reg.example.com": auth_entry("from-k8s", "pw")}))

    def user(keychain: object, target: str) -> str:
        ref = name.parse_reference(target)
        return str(keychain.resolve(ref).authorization().username)  # type: ignore[attr-defined]

    assert user(k8schain(), "reg.example.com/app") == "from-k8s"
    assert user(k8schain(no_cluster=True), "reg.example.com/app") == "from-docker"
    # A registry the secrets do not cover falls through to the docker config.
    (docker / "config.json").write_text(json.dumps({"auths": {"other.example.com": entry}}))
    assert user(k8schain(), "other.example.com/app") == "from-docker"


def test_no_cluster_asks_no_api_server(api: FakeAPIServer, kubeconfig: Path) -> None:
    k8schain(no_cluster=True).resolve("reg.example.com")
    assert api.requests == []


def test_outside_kubernetes_the_cluster_part_is_left_out(api: FakeAPIServer) -> None:
    # No kubeconfig (KUBECONFIG points at nothing) and no in-cluster environment.
    assert k8schain().resolve("reg.example.com/app") is ANONYMOUS
    assert api.requests == []


def test_explicit_kubeconfig_is_used(api: FakeAPIServer, tmp_path: Path) -> None:
    from k8s_testkit import write_kubeconfig

    path = write_kubeconfig(tmp_path / "kc", {"t": (api.url, {"token": TOKEN})}, current="t")
    k8schain(kubeconfig=path, service_account="builder")
    assert api.paths() == ["/api/v1/namespaces/default/serviceaccounts/builder"]


def test_chain_order() -> None:
    from containerregistry.google import KEYCHAIN

    kinds = cloud_keychains()
    assert kinds[1] is KEYCHAIN
    assert isinstance(kinds[2], GitHubKeychain)
    assert [(k.helper.name, k.hosts) for k in kinds[3:]] == [  # type: ignore[attr-defined]
        ("ecr-login", ECR_HOSTS),
        ("acr-env", ACR_HOSTS),
    ]


@pytest.mark.parametrize(
    ("env", "host", "want"),
    [
        pytest.param(
            {"GITHUB_TOKEN": "ghp_x", "GITHUB_ACTOR": "octo"}, "ghcr.io", "octo", id="actor"
        ),
        pytest.param({"GITHUB_TOKEN": "ghp_x"}, "ghcr.io", "unset", id="no-actor"),
        pytest.param({}, "ghcr.io", None, id="no-token"),
        pytest.param({"GITHUB_TOKEN": "ghp_x"}, "docker.pkg.github.com", None, id="other-host"),
    ],
)
def test_github(env: dict[str, str], host: str, want: str | None) -> None:
    found = GitHubKeychain(env=env).resolve(name.parse_reference(f"{host}/o/r:1"))
    if want is None:
        assert found is ANONYMOUS
    else:
        config = found.authorization()
        assert (config.username, config.password) == (want, "ghp_x")


def test_github_in_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_chain")
    found = k8schain(no_cluster=True).resolve("ghcr.io")
    assert found.authorization().password == "ghp_chain"


# --- cloud credential helpers, as fake executables on PATH ------------------------------


def fake_helper(
    directory: Path, helper: str, *, username: str, secret: str, fail: bool = False
) -> Path:
    """Write ``docker-credential-<helper>`` that logs its stdin and prints credentials."""
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / f"{helper}.log"
    answer = json.dumps({"ServerURL": "", "Username": username, "Secret": secret})
    body = (
        f"import sys\n"
        f"server = sys.stdin.read()\n"
        f"with open({str(log)!r}, 'a') as f:\n"
        f"    f.write(' '.join(sys.argv[1:]) + ' ' + server + '\\n')\n"
        + (
            "print('no credentials for this account', file=sys.stderr)\nsys.exit(3)\n"
            if fail
            else f"print({answer!r})\n"
        )
    )
    program = directory / f"docker-credential-{helper}"
    program.write_text(f"#!{sys.executable}\n{body}")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return log


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """The first directory of PATH (see conftest)."""
    return Path(os.environ["PATH"].split(os.pathsep)[0])


@pytest.mark.parametrize(
    ("helper", "host"),
    [
        pytest.param("ecr-login", ECR, id="ecr"),
        pytest.param(
            "ecr-login", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", id="ecr-china"
        ),
        pytest.param("ecr-login", "public.ecr.aws", id="ecr-public"),
        pytest.param("acr-env", "myregistry.azurecr.io", id="acr"),
    ],
)
def test_cloud_helper_answers_for_its_hosts(bin_dir: Path, helper: str, host: str) -> None:
    log = fake_helper(bin_dir, helper, username="AWS", secret="token-123")
    ref = name.parse_reference(f"{host}/team/app:1")
    config = k8schain(no_cluster=True).resolve(ref).authorization()
    assert (config.username, config.password) == ("AWS", "token-123")
    assert log.read_text() == f"get {host}\n"


def test_cloud_helper_identity_token(bin_dir: Path) -> None:
    fake_helper(bin_dir, "acr-env", username="<token>", secret="refresh-token")
    config = k8schain(no_cluster=True).resolve("myregistry.azurecr.io").authorization()
    assert config.identity_token == "refresh-token"


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("quay.io", id="other-registry"),
        pytest.param("dkr.ecr.us-east-1.amazonaws.com", id="ecr-without-account"),
        pytest.param(f"{ECR}:8443", id="ecr-with-port"),
        pytest.param("s3.us-east-1.amazonaws.com", id="other-aws"),
    ],
)
def test_cloud_helper_not_run_for_other_hosts(bin_dir: Path, host: str) -> None:
    log = fake_helper(bin_dir, "ecr-login", username="AWS", secret="t")
    assert k8schain(no_cluster=True).resolve(host) is ANONYMOUS
    assert not log.exists()


def test_cloud_helper_missing_from_path() -> None:
    assert HelperKeychain("ecr-login", hosts=ECR_HOSTS).resolve(ECR) is ANONYMOUS


def test_cloud_helper_failure_is_a_warning(bin_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake_helper(bin_dir, "ecr-login", username="", secret="", fail=True)
    with caplog.at_level(logging.WARNING, logger="containerregistry.warn"):
        assert k8schain(no_cluster=True).resolve(ECR) is ANONYMOUS
    message = caplog.records[0].getMessage()
    assert "docker-credential-ecr-login" in message
    assert "exited with 3" in message


def test_secret_beats_cloud_helper(bin_dir: Path, api: FakeAPIServer, kubeconfig: Path) -> None:
    log = fake_helper(bin_dir, "ecr-login", username="AWS", secret="t")
    api.add(service_account(image_pull_secrets=("ecr",)))
    api.add(dockerconfigjson_secret("ecr", {f"https://{ECR}": auth_entry("AWS", "from-secret")}))
    config = k8schain().resolve(f"{ECR}/app").authorization()
    assert config.password == "from-secret"
    assert not log.exists()
