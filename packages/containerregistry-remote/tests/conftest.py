"""Fixtures: embedded registries served in-process on 127.0.0.1 that record every request."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from remote_testkit import Served, serve

from containerregistry.registry import MemoryStorage, Registry


@pytest.fixture(autouse=True)
def _no_docker_config(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the user's credentials."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "auth.json"))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)


@pytest.fixture
def registry() -> Iterator[Served]:
    yield from serve(Registry(storage=MemoryStorage()))


@pytest.fixture
def registry_without_referrers() -> Iterator[Served]:
    yield from serve(Registry(storage=MemoryStorage(), referrers=False))


@pytest.fixture
def other_registry() -> Iterator[Served]:
    yield from serve(Registry(storage=MemoryStorage()))
