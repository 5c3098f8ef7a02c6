"""Fixtures: an isolated environment, the loopback Kubernetes API stand-in of the
kubernetes package's tests, a kubeconfig reaching it, and a registry with basic auth."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The stand-in API server lives beside the kubernetes package's tests; use it, not a copy.
sys.path.insert(
    0, os.path.join(os.path.dirname(__file__), "..", "..", "containerregistry-kubernetes", "tests")
)
sys.path.insert(0, os.path.dirname(__file__))

from k8s_testkit import TOKEN, FakeAPIServer, write_kubeconfig
from kcrane_testkit import PASSWORD, USER

from containerregistry.registry import BasicAuth, MemoryStorage, Registry, make_server


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No docker config, no kubeconfig, not in a pod, no GitHub token, no helpers."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "auth.json"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
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


@pytest.fixture
def kubeconfig(tmp_path: Path, api: FakeAPIServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig (in ``$KUBECONFIG``) whose current context reaches ``api`` with TOKEN."""
    path = write_kubeconfig(
        tmp_path / "kubeconfig", {"test": (api.url, {"token": TOKEN})}, current="test"
    )
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


@pytest.fixture
def locked_registry() -> Iterator[str]:
    """An embedded registry on loopback that wants ``USER``/``PASSWORD``; its address."""
    app = Registry(storage=MemoryStorage(), auth=BasicAuth({USER: PASSWORD}))
    server = make_server(app, address="127.0.0.1:0").start()
    yield f"127.0.0.1:{server.port}"
    server.stop()
