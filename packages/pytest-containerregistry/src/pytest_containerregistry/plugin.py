"""The fixtures; pytest loads this module through the ``pytest11`` entry point."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import pytest

from pytest_containerregistry._docker import (
    DEFAULT_IMAGE,
    DockerUnavailableError,
    Registry2Container,
    start_registry2,
)
from pytest_containerregistry._embedded import (
    AUTH_KINDS,
    AuthKind,
    RegistryFactory,
    RegistryFixtureError,
    RunningRegistry,
)
from pytest_containerregistry._process import RegistryProcessFactory
from pytest_containerregistry._seed import Seeder

IMAGE_OPTION = "containerregistry_registry2_image"
NETWORK_OPTION = "containerregistry_registry2_network"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(IMAGE_OPTION, f"image the registry2 fixture runs (default {DEFAULT_IMAGE})")
    parser.addini(
        NETWORK_OPTION,
        "how registry2 is reached: host or publish (default host on Linux with a local daemon)",
    )


@pytest.fixture
def registry_factory() -> Iterator[RegistryFactory]:
    """Start embedded registries with options (auth, gcr, referrers, storage); each one
    serves on 127.0.0.1 until the test ends. Calls return a RunningRegistry."""
    factory = RegistryFactory()
    yield factory
    factory.close()


@pytest.fixture
def registry(registry_factory: RegistryFactory) -> str:
    """An empty in-memory registry for this test: its ``127.0.0.1:PORT``."""
    return registry_factory().host


@pytest.fixture(scope="session")
def session_registry() -> Iterator[str]:
    """One in-memory registry shared by every test of the session: its ``127.0.0.1:PORT``.

    Tests see each other's pushes: use repository names of their own."""
    factory = RegistryFactory()
    yield factory().host
    factory.close()


@pytest.fixture
def auth_registry(
    request: pytest.FixtureRequest, registry_factory: RegistryFactory
) -> RunningRegistry:
    """An empty registry that asks for credentials: a RunningRegistry whose
    ``credentials`` log in. Basic auth unless parametrized indirectly with "token"."""
    kind = getattr(request, "param", "basic")
    if kind not in AUTH_KINDS:
        raise RegistryFixtureError(
            f"auth_registry parameter {kind!r} is unknown; use one of {', '.join(AUTH_KINDS)}"
        )
    return registry_factory(auth=cast(AuthKind, kind))


@pytest.fixture
def registry_process() -> Iterator[RegistryProcessFactory]:
    """Start ``crane registry serve`` child processes (needs crane installed):
    ``registry_process("--disk", str(path))`` returns a RegistryProcess on a free
    loopback port; every one still running is stopped when the test ends."""
    factory = RegistryProcessFactory()
    yield factory
    factory.close()


@pytest.fixture(scope="session")
def registry_seeder() -> Seeder:
    """Push random images and indexes: ``registry_seeder.image(f"{registry}/app:1")``."""
    return Seeder()


@pytest.fixture(scope="session")
def registry2(pytestconfig: pytest.Config) -> Iterator[Registry2Container]:
    """A real Distribution registry (``registry:2``) in Docker for the whole session;
    ``str()`` of it is its ``127.0.0.1:PORT``. Skips the test when no daemon answers."""
    image = str(pytestconfig.getini(IMAGE_OPTION) or DEFAULT_IMAGE)
    network = str(pytestconfig.getini(NETWORK_OPTION) or "") or None
    try:
        container = start_registry2(image, network=network)
    except DockerUnavailableError as exc:
        pytest.skip(str(exc))
    yield container
    container.stop()
