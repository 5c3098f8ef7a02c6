"""Fixtures for the integration tests: the real services that `tools/services up` starts.

A missing or silent service fails the test that needs it, never skips it: the
integration run exists to prove the code against these services. Start them with

    eval "$(tools/services up)"

(the noxfile's `integration` session does this and passes the variables on).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.error
import urllib.request

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
