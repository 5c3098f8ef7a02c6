"""The real Distribution registry (the ``registry:2`` image) in a Docker container.

The docker command line does the work, so the plugin needs no Docker SDK; it talks
to whatever daemon ``docker`` reaches (``DOCKER_HOST``, else the local socket).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from pytest_containerregistry._embedded import RegistryFixtureError

#: The image the ``registry2`` fixture runs unless the ``containerregistry_registry2_image``
#: ini option names another.
DEFAULT_IMAGE = "registry:2"
#: Seconds to wait for ``docker version``: a daemon that does not answer by then is
#: treated as absent.
PROBE_TIMEOUT = 20.0
#: Seconds to wait for the registry to answer ``GET /v2/`` (a first start on a busy
#: machine unpacks the image).
START_TIMEOUT = 60.0
#: On every container this plugin starts, so that leftovers can be found and removed.
LABEL = "io.containerregistry.pytest=1"


class DockerUnavailableError(RegistryFixtureError):
    """No Docker daemon answers: the ``registry2`` fixture skips the test."""


class Registry2Error(RegistryFixtureError):
    """A daemon answers, but the registry container could not be started."""


def _docker() -> str:
    found = shutil.which("docker")
    if found is None:
        raise DockerUnavailableError("no Docker daemon: the docker command is not installed")
    return found


def _daemon_name() -> str:
    return os.environ.get("DOCKER_HOST") or "the default socket (set DOCKER_HOST to change it)"


def _run(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_docker(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def check_daemon(timeout: float = PROBE_TIMEOUT) -> str:
    """Return the daemon's version; raise :class:`DockerUnavailableError` when none answers
    within ``timeout`` seconds (default 20)."""
    try:
        done = _run(["version", "--format", "{{.Server.Version}}"], timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DockerUnavailableError(
            f"no Docker daemon answered at {_daemon_name()} within {timeout:g} s"
        ) from None
    if done.returncode != 0 or not done.stdout.strip():
        raise DockerUnavailableError(
            f"no Docker daemon answers at {_daemon_name()}: {_last_line(done.stderr)}"
        )
    return done.stdout.strip()


def default_network() -> str:
    """``host`` for a local daemon on Linux (works without a bridge), else ``publish``."""
    local = os.environ.get("DOCKER_HOST", "unix://").startswith("unix://")
    return "host" if sys.platform.startswith("linux") and local else "publish"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass(frozen=True)
class Registry2Container:
    """A running registry container; :meth:`stop` removes it and its storage."""

    #: ``127.0.0.1:PORT``: where the registry answers.
    host: str
    container_id: str
    image: str

    def __str__(self) -> str:
        return self.host

    def reference(self, path: str) -> str:
        """``host:port/path``."""
        return f"{self.host}/{path.lstrip('/')}"

    def stop(self) -> None:
        """Remove the container (``docker rm -f``)."""
        _run(["rm", "--force", "--volumes", self.container_id], timeout=PROBE_TIMEOUT * 3)


def start_registry2(
    image: str = DEFAULT_IMAGE, *, network: str | None = None, timeout: float = START_TIMEOUT
) -> Registry2Container:
    """Start ``image`` (default ``registry:2``) with deletes enabled and wait until it answers.

    Args:
        image: the registry image; pulled by the daemon when it is not there.
        network: ``host`` (listen on a free loopback port of the host's network) or
            ``publish`` (publish port 5000 on a free loopback port); default
            :func:`default_network`.
        timeout: seconds to wait for ``GET /v2/`` to answer (default 60).

    Raises :class:`DockerUnavailableError` when no daemon answers, and
    :class:`Registry2Error` when the container does not start or answer.
    """
    check_daemon()
    network = network or default_network()
    args = ["run", "--detach", "--label", LABEL, "--env", "REGISTRY_STORAGE_DELETE_ENABLED=true"]
    if network == "host":
        port = _free_port()
        args += ["--network", "host", "--env", f"REGISTRY_HTTP_ADDR=127.0.0.1:{port}"]
    elif network == "publish":
        args += ["--publish", "127.0.0.1::5000"]
    else:
        raise Registry2Error(f"registry2 network {network!r} is unknown; use host or publish")
    done = _run([*args, image], timeout=timeout)
    if done.returncode != 0:
        raise Registry2Error(
            f"docker run {image} failed: {_last_line(done.stderr)}; "
            f"pull or build {image} first (see the plugin's README)"
        )
    container_id = done.stdout.strip()
    try:
        if network == "host":
            host = f"127.0.0.1:{port}"
        else:
            mapped = _run(["port", container_id, "5000/tcp"], timeout=PROBE_TIMEOUT)
            host = mapped.stdout.strip().splitlines()[0] if mapped.returncode == 0 else ""
            if not host:
                raise Registry2Error(f"docker port {container_id[:12]} 5000/tcp printed nothing")
        _wait_until_ready(host, container_id, timeout)
    except BaseException:
        _run(["rm", "--force", "--volumes", container_id], timeout=PROBE_TIMEOUT * 3)
        raise
    return Registry2Container(host, container_id, image)


def _wait_until_ready(host: str, container_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://{host}/v2/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        state = _run(["inspect", "--format", "{{.State.Running}}", container_id], timeout=30)
        if state.stdout.strip() != "true":
            logs = _run(["logs", "--tail", "5", container_id], timeout=30)
            raise Registry2Error(
                f"registry container {container_id[:12]} stopped before answering on {host}: "
                f"{_last_line(logs.stderr + logs.stdout)}"
            )
        if time.monotonic() > deadline:
            raise Registry2Error(
                f"registry container {container_id[:12]} did not answer on {host} "
                f"within {timeout:g} s; see `docker logs {container_id[:12]}`"
            )
        time.sleep(0.2)
