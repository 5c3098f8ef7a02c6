"""Fixtures: a stand-in API server on loopback, kubeconfigs, and an environment that
never reads the developer's own credentials or cluster."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from k8s_testkit import TOKEN, FakeAPIServer, make_tls, write_kubeconfig


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No docker config, no kubeconfig, not in a pod, no GitHub token, no helpers."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "auth.json"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin")
    for name in (
        "XDG_RUNTIME_DIR",
        "XDG_CONFIG_HOME",
        "KUBERNETES_SERVICE_HOST",
        "KUBERNETES_SERVICE_PORT",
        "GITHUB_TOKEN",
        "GITHUB_ACTOR",
        "GOOGLE_APPLICATION_CREDENTIALS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api() -> Iterator[FakeAPIServer]:
    server = FakeAPIServer(TOKEN)
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(ca.crt, server.crt, server.key) for 127.0.0.1."""
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tls_api(tls: tuple[Path, Path, Path]) -> Iterator[FakeAPIServer]:
    server = FakeAPIServer(TOKEN, tls=(tls[1], tls[2]))
    yield server
    server.close()


@pytest.fixture
def kubeconfig(tmp_path: Path, api: FakeAPIServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig (in ``$KUBECONFIG``) whose current context reaches ``api`` with TOKEN."""
    path = write_kubeconfig(
        tmp_path / "kubeconfig", {"test": (api.url, {"token": TOKEN})}, current="test"
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path
