"""Failures of the daemon, the socket and the SDK become one clear DaemonError each."""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
from typing import Any

import pytest

from containerregistry import daemon
from containerregistry.daemon._errors import translate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The SDK leaves the socket of a failed connection for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_daemon_at_docker_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/docker.sock")
    with pytest.raises(daemon.DaemonNotRunningError) as caught:
        daemon.image("app:1")
    message = str(caught.value)
    del caught
    gc.collect()
    assert f"unix://{tmp_path}/docker.sock does not answer" in message
    assert "start it" in message


@pytest.mark.parametrize("call", ["image", "write", "tag"])
def test_no_daemon_behind_a_client(call: str) -> None:
    import docker

    from containerregistry import random

    port = _free_port()
    client = docker.APIClient(base_url=f"tcp://127.0.0.1:{port}", version="1.41")
    calls = {
        "image": lambda: daemon.image("app:1", client=client),
        "write": lambda: daemon.write("app:1", random.image(10, 1, seed=1), client=client),
        "tag": lambda: daemon.tag("app:1", "app:2", client=client),
    }
    with pytest.raises(daemon.DaemonNotRunningError, match=f"127.0.0.1:{port} does not answer"):
        calls[call]()


def test_environment_client_from_docker_host(
    fake_daemon: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from containerregistry import random

    img = random.image(100, 1, seed=9)
    fake_daemon.add("app:1", img)
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{fake_daemon.port}")
    assert daemon.image("app:1").config_name() == img.config_name()


def _wrapped(inner: BaseException) -> BaseException:
    """Raise ``inner`` the way the SDK does: inside requests' and docker's errors."""
    import docker
    import requests

    try:
        try:
            raise requests.exceptions.ConnectionError(("Connection aborted.", inner))
        except requests.exceptions.ConnectionError as exc:
            raise docker.errors.DockerException(
                f"Error while fetching server API version: {exc}"
            ) from exc
    except docker.errors.DockerException as outer:
        return outer


@pytest.mark.parametrize(
    ("inner", "kind", "text"),
    [
        pytest.param(
            PermissionError(13, "Permission denied"),
            daemon.DaemonPermissionError,
            "add your user to the docker group",
            id="permission",
        ),
        pytest.param(
            FileNotFoundError(2, "No such file or directory"),
            daemon.DaemonNotRunningError,
            "does not answer",
            id="no-socket",
        ),
        pytest.param(
            ConnectionRefusedError(111, "Connection refused"),
            daemon.DaemonNotRunningError,
            "does not answer",
            id="refused",
        ),
    ],
)
def test_socket_errors(inner: BaseException, kind: type[daemon.DaemonError], text: str) -> None:
    error = translate(_wrapped(inner), action="read", subject="image app:1", host="unix:///s")
    assert type(error) is kind
    assert str(error).startswith("cannot read image app:1: ")
    assert text in str(error)


def test_other_sdk_error_keeps_its_text() -> None:
    import docker

    error = translate(
        docker.errors.DockerException("TLS certificate is bad"),
        action="load",
        subject="image app:1",
        host="tcp://h:2376",
    )
    assert type(error) is daemon.DaemonError
    assert "TLS certificate is bad" in str(error)
    assert "tcp://h:2376" in str(error)


def test_importing_the_package_does_not_import_docker() -> None:
    code = "import sys, containerregistry.daemon; print('docker' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_missing_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(daemon.DockerSDKMissingError, match="pip install 'docker>=7'"):
        daemon.image("app:1")


def test_errors_are_container_registry_errors() -> None:
    from containerregistry.errors import ContainerRegistryError

    for name in daemon.__all__:
        value = getattr(daemon, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, ContainerRegistryError), name
