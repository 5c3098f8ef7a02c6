"""Registry fixtures for pytest: installing the distribution enables them.

``registry`` (function scope) and ``session_registry`` give the ``host:port`` of an
embedded OCI registry; ``auth_registry`` one that asks for basic or token auth, with
the credentials; ``registry_seeder`` pushes random images and indexes; ``registry2``
runs the real ``registry:2`` in Docker and skips when no daemon answers;
``registry_process`` starts ``crane registry serve`` child processes.
"""

from pytest_containerregistry._docker import (
    DockerUnavailableError,
    Registry2Container,
    Registry2Error,
    start_registry2,
)
from pytest_containerregistry._embedded import (
    Credentials,
    RegistryFactory,
    RegistryFixtureError,
    RunningRegistry,
)
from pytest_containerregistry._process import (
    RegistryProcess,
    RegistryProcessFactory,
    start_registry_process,
)
from pytest_containerregistry._seed import SeededImage, SeededIndex, Seeder

__all__ = [
    "Credentials",
    "DockerUnavailableError",
    "Registry2Container",
    "Registry2Error",
    "RegistryFactory",
    "RegistryFixtureError",
    "RegistryProcess",
    "RegistryProcessFactory",
    "RunningRegistry",
    "SeededImage",
    "SeededIndex",
    "Seeder",
    "start_registry2",
    "start_registry_process",
]
