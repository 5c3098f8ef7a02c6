"""Fixtures: an isolated environment and the embedded registry's GCR flavour on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from gcrane_testkit import Gcr, serve_gcr


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
def gcr() -> Iterator[Gcr]:
    """The embedded registry's GCR flavour (extended tags/list with child and manifest)."""
    yield from serve_gcr()
