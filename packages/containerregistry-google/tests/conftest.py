"""Fixtures: an isolated environment, and embedded registries served on 127.0.0.1."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from google_testkit import GoogleServer, Served, make_service_account_key, serve

from containerregistry.registry import Registry


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the user's docker, podman or gcloud credentials."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "auth.json"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("CONTAINERREGISTRY_GOOGLE_HOSTS", raising=False)


@pytest.fixture
def gcr() -> Iterator[Served]:
    """The embedded registry's GCR flavour, anonymous."""
    yield from serve(Registry(gcr=True))


@pytest.fixture
def plain() -> Iterator[Served]:
    """The embedded registry without GCR's extensions."""
    yield from serve(Registry())


@pytest.fixture
def google_server() -> Iterator[GoogleServer]:
    server = GoogleServer(make_service_account_key())
    try:
        yield server
    finally:
        server.stop()
