"""Fixtures for the crane tests: a seeded embedded registry on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from crane_testkit import seed_registry

from containerregistry.registry import Registry, make_server


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """An embedded registry on loopback: a/img:v1 (an image), a/idx:v1 and a/plat:v1 (indexes)."""
    server = make_server(Registry(), address="127.0.0.1:0").start()
    address = f"127.0.0.1:{server.port}"
    seed_registry(address)
    try:
        yield address
    finally:
        server.stop()
