"""kcrane against the embedded registry with basic auth whose credentials exist only in
a Kubernetes pull secret, read through a kubeconfig from the loopback API stand-in."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from k8s_testkit import (
    FakeAPIServer,
    auth_entry,
    dockerconfigjson_secret,
    service_account,
    write_kubeconfig,
)
from kcrane_testkit import PASSWORD, USER, pull_secret, run, write_docker_config

from containerregistry import name, random, remote
from containerregistry.authn import Basic
from containerregistry.crane.cli import build_app as build_crane_app
from containerregistry.kcrane.cli import build_app
from containerregistry.v1 import Image

OWNER = Basic(USER, PASSWORD)


def push(registry: str, repo: str = "team/app:v1", *, seed: int = 7) -> Image:
    image = random.image(1024, 2, seed=seed)
    remote.write(name.parse_reference(f"{registry}/{repo}"), image, authenticator=OWNER)
    return image


@pytest.mark.usefixtures("kubeconfig")
def test_digest_and_manifest_through_a_pull_secret(
    api: FakeAPIServer, locked_registry: str
) -> None:
    image = push(locked_registry)
    pull_secret(api, locked_registry)
    ref = f"{locked_registry}/team/app:v1"

    assert run("digest", ref) == (0, f"{image.digest()}\n".encode(), "")
    code, out, _ = run("manifest", ref)
    assert (code, out) == (0, image.raw_manifest())
    assert "/api/v1/namespaces/default/serviceaccounts/default" in api.paths()
    assert "/api/v1/namespaces/default/secrets/regcred" in api.paths()


@pytest.mark.usefixtures("kubeconfig")
def test_copy_through_a_pull_secret(api: FakeAPIServer, locked_registry: str) -> None:
    image = push(locked_registry)
    pull_secret(api, locked_registry)

    code, _, err = run("copy", f"{locked_registry}/team/app:v1", f"{locked_registry}/team/copy:v2")
    assert code == 0, err
    copied = remote.get(
        name.parse_reference(f"{locked_registry}/team/copy:v2"), authenticator=OWNER
    )
    assert copied.digest == image.digest()


@pytest.mark.usefixtures("kubeconfig")
def test_auth_get_answers_from_the_pull_secret(api: FakeAPIServer, locked_registry: str) -> None:
    """kcrane as a docker credential helper hands out what the cluster's secret holds."""
    pull_secret(api, locked_registry)
    code, out, _ = run("auth", "get", locked_registry)
    assert code == 0
    assert json.loads(out) == {"Username": USER, "Secret": PASSWORD}


@pytest.mark.usefixtures("kubeconfig")
def test_crane_without_the_secret_is_refused(api: FakeAPIServer, locked_registry: str) -> None:
    push(locked_registry)
    pull_secret(api, locked_registry)

    code, out, err = run("digest", f"{locked_registry}/team/app:v1", tool="crane")
    assert (code, out) == (1, b"")
    error = err.splitlines()[-1]  # after crane's "HEAD request failed" warning
    assert error.startswith("Error: ")
    assert "UNAUTHORIZED" in error
    assert "401 Unauthorized" in err
    assert api.paths() == []


@pytest.mark.usefixtures("kubeconfig")
def test_no_cluster_falls_back_to_the_docker_config(
    api: FakeAPIServer, locked_registry: str, tmp_path: Path
) -> None:
    image = push(locked_registry)
    # The cluster would give wrong credentials; --no-cluster must not even ask it.
    api.add(service_account(image_pull_secrets=("regcred",)))
    api.add(dockerconfigjson_secret("regcred", {locked_registry: auth_entry(USER, "wrong")}))
    write_docker_config(tmp_path / "docker", locked_registry, USER, PASSWORD)

    code, out, err = run("--no-cluster", "digest", f"{locked_registry}/team/app:v1")
    assert (code, out, err) == (0, f"{image.digest()}\n".encode(), "")
    assert api.paths() == []


def test_without_a_kubeconfig_kcrane_is_crane_with_cloud_keychains(
    locked_registry: str, tmp_path: Path
) -> None:
    image = push(locked_registry)
    ref = f"{locked_registry}/team/app:v1"
    assert run("digest", ref)[0] == 1  # nothing anywhere: refused, as crane is

    write_docker_config(tmp_path / "docker", locked_registry, USER, PASSWORD)
    expected = (0, f"{image.digest()}\n".encode(), "")
    assert run("digest", ref) == expected
    assert run("digest", ref, tool="crane") == expected


@pytest.mark.parametrize(
    ("flags", "objects", "wanted_paths"),
    [
        pytest.param(
            ["--namespace", "team", "--service-account", "builder"],
            [
                service_account("builder", namespace="team", image_pull_secrets=("regcred",)),
                "regcred@team",
            ],
            [
                "/api/v1/namespaces/team/serviceaccounts/builder",
                "/api/v1/namespaces/team/secrets/regcred",
            ],
            id="namespace-and-service-account",
        ),
        pytest.param(
            ["--image-pull-secret", "regcred"],
            [service_account(), "regcred@default"],
            ["/api/v1/namespaces/default/secrets/regcred"],
            id="named-secret",
        ),
        pytest.param(
            ["--image-pull-secret", "missing", "--image-pull-secret", "regcred"],
            [service_account(), "regcred@default"],
            [
                "/api/v1/namespaces/default/secrets/missing",
                "/api/v1/namespaces/default/secrets/regcred",
            ],
            id="repeated-secret-one-missing",
        ),
    ],
)
@pytest.mark.usefixtures("kubeconfig")
def test_flags_choose_the_secrets(
    api: FakeAPIServer,
    locked_registry: str,
    flags: list[str],
    objects: list[object],
    wanted_paths: list[str],
) -> None:
    image = push(locked_registry)
    for obj in objects:
        if isinstance(obj, str):
            secret, namespace = obj.split("@")
            auths = {locked_registry: auth_entry(USER, PASSWORD)}
            api.add(dockerconfigjson_secret(secret, auths, namespace=namespace))
        else:
            api.add(obj)  # type: ignore[arg-type]

    code, out, _ = run(*flags, "digest", f"{locked_registry}/team/app:v1")
    assert (code, out) == (0, f"{image.digest()}\n".encode())
    assert [p for p in api.paths() if p in wanted_paths] == wanted_paths


def test_a_cluster_that_refuses_the_reads_fails_the_command(
    api: FakeAPIServer, locked_registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    push(locked_registry)
    path = write_kubeconfig(
        tmp_path / "kubeconfig", {"t": (api.url, {"token": "not-the-token"})}, current="t"
    )
    monkeypatch.setenv("KUBECONFIG", str(path))

    code, out, err = run("digest", f"{locked_registry}/team/app:v1")
    assert (code, out) == (1, b"")
    assert err.splitlines()[-1].startswith("Error: ")
    assert "HTTP 401" in err
    assert "not-the-token" not in err


def test_kcrane_has_every_crane_command_and_flag() -> None:
    def commands(app: Any) -> set[str]:
        own = {c.name or c.callback.__name__ for c in app.registered_commands}
        return own | {g.name for g in app.registered_groups}

    def flags(help_text: bytes) -> set[str]:
        return set(re.findall(r"^ +(?:-\w, )?(--[a-z-]+)", help_text.decode(), re.MULTILINE))

    assert commands(build_app()) == commands(build_crane_app())
    crane_help, kcrane_help = run("--help", tool="crane"), run("--help")
    assert crane_help[0] == kcrane_help[0] == 0
    assert "--platform" in flags(crane_help[1])
    assert flags(kcrane_help[1]) - flags(crane_help[1]) == {
        "--namespace",
        "--service-account",
        "--image-pull-secret",
        "--no-cluster",
    }


_PROBE = """
import json, sys
sys.argv[0] = sys.argv.pop(1)
from containerregistry.kcrane.cli import main
code = 0
try:
    main()
except SystemExit as done:
    code = done.code
heavy = ("kubernetes", "google.auth", "requests", "containerregistry.kubernetes")
sys.stderr.write(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


@pytest.mark.parametrize("tool", ["kcrane", "krane"])
def test_help_loads_neither_kubernetes_nor_google_auth(tool: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, f"/usr/local/bin/{tool}", "--help"],
        env=os.environ,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
    assert done.stdout.startswith(f"Usage: {tool} [OPTIONS] COMMAND [ARGS]...")
    assert f"{tool} is a tool for managing container images." in done.stdout


@pytest.mark.parametrize("tool", ["kcrane", "krane"])
def test_quick_help_is_what_typer_prints(tool: str) -> None:
    """``kcrane --help`` answered without Typer is byte for byte Typer's own help."""
    env = dict(os.environ, COLUMNS="100")
    quick = subprocess.run(
        [sys.executable, "-c", _PROBE, f"/usr/local/bin/{tool}", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    through_typer = subprocess.run(
        [
            sys.executable,
            "-c",
            "from containerregistry.crane.cli import run\n"
            "from containerregistry.kcrane.cli import build_app\n"
            f"run(build_app({tool!r}), {tool!r}, ['--help'])",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert quick.stdout == through_typer.stdout
    assert "--image-pull-secret" in quick.stdout
