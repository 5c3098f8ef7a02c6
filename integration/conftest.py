"""Fixtures for the integration tests: the real services that `tools/services up` starts.

A missing or silent service fails the test that needs it, never skips it: the
integration run exists to prove the code against these services. Start them with

    eval "$(tools/services up)"

(the noxfile's `integration` session does this and passes the variables on).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

HINT = 'start the services as root with `eval "$(tools/services up)"`'


def _tool(command: str, package: str) -> str:
    path = shutil.which(command)
    if path is None:
        pytest.fail(f"{command} is not on PATH; install Debian's {package}: {HINT}")
    return path


@pytest.fixture(scope="session")
def registry2_address() -> str:
    """`host:port` of the registry:2 container (plain HTTP), from CR_REGISTRY2."""
    address = os.environ.get("CR_REGISTRY2", "").strip()
    if not address:
        pytest.fail(f"CR_REGISTRY2 is not set; {HINT}")
    url = f"http://{address}/v2/"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        pytest.fail(f"registry:2 at {address} does not answer GET {url} ({exc}); {HINT}")
    if status != 200:
        pytest.fail(f"registry:2 at {address} answered GET {url} with {status}, want 200")
    return address


@pytest.fixture(scope="session")
def docker_cli() -> str:
    """Path of the docker CLI, after checking that `docker version` shows a server."""
    docker = _tool("docker", "docker.io")
    result = subprocess.run(
        [docker, "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        detail = (result.stderr.strip().splitlines() or ["no server version"])[-1]
        pytest.fail(f"`docker version` shows no server ({detail}); {HINT}")
    return docker


@pytest.fixture(scope="session")
def skopeo() -> str:
    """Path of skopeo (Debian's skopeo)."""
    return _tool("skopeo", "skopeo")


@pytest.fixture(scope="session")
def oci_image_tool() -> str:
    """Path of oci-image-tool (Debian's oci-image-tool)."""
    return _tool("oci-image-tool", "oci-image-tool")


@pytest.fixture(scope="session")
def umoci() -> str:
    """Path of umoci (Debian's umoci)."""
    return _tool("umoci", "umoci")


@pytest.fixture
def daemon_repository(docker_cli: str) -> Iterator[str]:
    """A Docker daemon repository name of our own (``crtest-HEX``); every image
    tagged in it is removed after the test."""
    name = f"crtest-{secrets.token_hex(4)}"
    yield name
    listed = subprocess.run(
        [docker_cli, "images", "--format", "{{.Repository}}:{{.Tag}}", name],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert listed.returncode == 0, f"docker images {name}: {listed.stderr}"
    for ref in listed.stdout.split():
        subprocess.run([docker_cli, "rmi", "-f", ref], capture_output=True, check=False)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


#: Salt characters of bcrypt's own base64 alphabet.
_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def bcrypt(password: str) -> str:
    """A bcrypt hash (all registry:2 reads in htpasswd) from the system's libcrypt."""
    found = ctypes.util.find_library("crypt")
    if found is None:
        pytest.fail("libcrypt is missing (Debian's libcrypt1); registry:2 needs bcrypt")
    crypt = ctypes.CDLL(found).crypt
    crypt.restype = ctypes.c_char_p
    crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    # Cost 5, the lowest libcrypt accepts: the tests are about who may log in, not hashing.
    salt = "$2b$05$" + "".join(secrets.choice(_BCRYPT_ALPHABET) for _ in range(22))
    hashed = crypt(password.encode(), salt.encode())
    if not hashed or not hashed.startswith(b"$2b$"):
        pytest.fail("libcrypt made no bcrypt hash")
    return str(hashed.decode())


#: Starts a registry:2 container: (REGISTRY_* settings, {host dir: container dir},
#: URL of /v2/ to wait for, the status that URL answers once it is up) -> ``host:port``.
StartRegistry = Callable[[Mapping[str, str], Mapping[Path, str], str, int], str]


@pytest.fixture(scope="module")
def registry2_container(docker_cli: str, registry2_address: str) -> Iterator[StartRegistry]:
    """Start extra registry:2 containers (the image ``tools/services up`` builds).

    Call it with the container's ``REGISTRY_*`` settings (``REGISTRY_HTTP_ADDR`` is
    filled in with a free loopback port), read-only mounts, a ``/v2/`` URL template
    (``{address}`` is replaced) and the status it answers when ready; it returns
    ``127.0.0.1:PORT``. Every container is removed when the module ends.
    """
    containers: list[str] = []

    def start(
        settings: Mapping[str, str], mounts: Mapping[Path, str], probe: str, ready: int
    ) -> str:
        address = f"127.0.0.1:{free_port()}"
        run = [docker_cli, "run", "-d", "--rm", "--network", "host"]
        for key, value in {"REGISTRY_HTTP_ADDR": address, **settings}.items():
            run += ["-e", f"{key}={value}"]
        for host, inside in mounts.items():
            host.chmod(0o755)  # the registry in the container reads it as another user
            run += ["-v", f"{host}:{inside}:ro"]
        started = subprocess.run(
            [*run, "registry:2"], capture_output=True, text=True, timeout=120, check=False
        )
        if started.returncode != 0:
            pytest.fail(f"cannot start a registry:2 container: {started.stderr.strip()}; {HINT}")
        containers.append(started.stdout.strip())
        _wait_for(probe.format(address=address), ready, containers[-1], docker_cli)
        return address

    yield start
    for container in containers:
        subprocess.run(
            [docker_cli, "rm", "-f", container], capture_output=True, timeout=60, check=False
        )


def _wait_for(url: str, want: int, container: str, docker_cli: str) -> None:
    """Wait until ``url`` answers ``want``; fail with the container's last log line."""
    import ssl

    unverified = ssl.create_default_context()
    unverified.check_hostname = False
    unverified.verify_mode = ssl.CERT_NONE
    deadline = time.monotonic() + 30
    status: int | str = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2, context=unverified) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = "no answer"  # not listening yet
        if status == want:
            return
        if isinstance(status, int):
            pytest.fail(f"registry:2 answered GET {url} with {status}, want {want}")
        time.sleep(0.2)
    logs = subprocess.run(
        [docker_cli, "logs", "--tail", "1", container], capture_output=True, text=True, check=False
    )
    pytest.fail(f"registry:2 did not answer GET {url} ({status}): {logs.stderr.strip()}")


class HtpasswdRegistry(NamedTuple):
    """A registry:2 that wants basic auth: ``address`` (``127.0.0.1:PORT``), ``user``,
    ``password``."""

    address: str
    user: str
    password: str


@pytest.fixture(scope="module")
def registry2_htpasswd_user() -> str:
    """The user the htpasswd registry knows; a module overrides it to use its own name."""
    return "integration"


@pytest.fixture(scope="module")
def registry2_htpasswd(
    registry2_container: StartRegistry,
    registry2_htpasswd_user: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> HtpasswdRegistry:
    """A registry:2 container (one per module) with htpasswd basic auth and one user.

    The password is random; anonymous requests to ``/v2/`` are refused with 401.
    """
    password = secrets.token_urlsafe(18)
    auth = tmp_path_factory.mktemp("htpasswd")
    (auth / "htpasswd").write_text(f"{registry2_htpasswd_user}:{bcrypt(password)}\n")
    settings = {
        "REGISTRY_AUTH": "htpasswd",
        "REGISTRY_AUTH_HTPASSWD_REALM": "integration",
        "REGISTRY_AUTH_HTPASSWD_PATH": "/auth/htpasswd",
    }
    address = registry2_container(settings, {auth: "/auth"}, "http://{address}/v2/", 401)
    return HtpasswdRegistry(address, registry2_htpasswd_user, password)
