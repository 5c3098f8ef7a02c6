"""``crane registry serve`` as a user runs it: a subprocess on a free port."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

BLOB = b"hello from crane registry serve"
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


class Served:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def status(self, method: str, path: str, data: bytes | None = None) -> int:
        request = urllib.request.Request(self.url(path), data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            error.close()
            return int(error.code)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=10)
        assert self.process.stderr is not None
        self.process.stderr.close()
        return code


def _serve(*args: str, env: dict[str, str] | None = None) -> Served:
    process = subprocess.Popen(
        [sys.executable, "-m", "containerregistry.crane.cli", "registry", "serve", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env or os.environ.copy(),
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    match = re.fullmatch(r"serving on port (\d+)\n", line)
    assert match, line
    return Served(process, int(match.group(1)))


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Served] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Served:
        started.append(_serve(*args, env=env))
        return started[-1]

    yield start
    for served in started:
        if served.process.poll() is None:
            served.stop()


def test_serves_and_stops_cleanly(serve: Any) -> None:
    served = serve("--address", "127.0.0.1:0")
    assert served.port > 0
    assert served.status("GET", "/v2/") == 200
    assert served.stop() == 0


def test_port_environment_variable(serve: Any, unused_port: int) -> None:
    served = serve(env={**os.environ, "PORT": str(unused_port)})
    assert served.port == unused_port


def test_disk_survives_restart(serve: Any, tmp_path: Any) -> None:
    disk = str(tmp_path / "data")
    first = serve("--address", "127.0.0.1:0", "--disk", disk)
    assert first.status("POST", f"/v2/foo/blobs/uploads/?digest={DIGEST}", BLOB) == 201
    first.stop()
    second = serve("--address", "127.0.0.1:0", "--disk", disk)
    with urllib.request.urlopen(second.url(f"/v2/foo/blobs/{DIGEST}"), timeout=10) as response:
        assert response.read() == BLOB


def test_basic_auth_flag(serve: Any) -> None:
    served = serve("--address", "127.0.0.1:0", "--auth", "basic", "--user", "alice:pw")
    assert served.status("GET", "/v2/") == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--address", "nonsense"], "is not HOST:PORT", id="bad-address"),
        pytest.param(["--auth", "basic"], "needs at least one --user", id="auth-without-users"),
        pytest.param(["--auth", "magic", "--user", "a:b"], "must be none, basic", id="bad-auth"),
        pytest.param(["--read-timeout", "0"], "--read-timeout must be", id="read-timeout"),
        pytest.param(["--upload-purging-age", "-1"], "--upload-purging-age", id="age"),
    ],
)
def test_bad_flags_exit_nonzero(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "registry", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr


@pytest.mark.parametrize("server", ["builtin", "gunicorn"])
def test_an_address_in_use_is_named_with_what_to_do(server: str, tmp_path: Any) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        done = subprocess.run(
            [
                *(sys.executable, "-m", "containerregistry.crane.cli", "registry", "serve"),
                *("--address", f"127.0.0.1:{port}", "--server", server),
                *("--disk", str(tmp_path)),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(is another registry running? pick another --address)\n"
    )


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _raw(port: int, request: bytes) -> bytes:
    """Send ``request`` and then nothing; everything answered until the server closes."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_read_timeout_cuts_off_a_stalled_upload(serve: Any, tmp_path: Any) -> None:
    disk = tmp_path / "data"
    served = serve("--address", "127.0.0.1:0", "--disk", str(disk), "--read-timeout", "1")
    head = (
        f"POST /v2/foo/blobs/uploads/?digest={DIGEST} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {len(BLOB)}\r\n\r\n"
    )
    reply = _raw(served.port, head.encode() + BLOB[:5])
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"BLOB_UPLOAD_INVALID"' in reply
    assert served.status("HEAD", f"/v2/foo/blobs/{DIGEST}") == 404
    assert list(disk.rglob("_uploads/*")) == []


def test_an_idle_upload_is_purged_by_another_instance(serve: Any, tmp_path: Any) -> None:
    import time

    disk = str(tmp_path / "data")
    first = serve("--address", "127.0.0.1:0", "--disk", disk)
    request = urllib.request.Request(first.url("/v2/foo/blobs/uploads/"), method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        location = response.headers["Location"]
    uploads = tmp_path / "data" / "docker/registry/v2/repositories/foo/_uploads"
    assert len(list(uploads.iterdir())) == 1
    time.sleep(2)
    second = serve(
        "--address", "127.0.0.1:0", "--disk", disk, "--upload-purging-age", "1"
    )  # its first request sweeps the storage, in the background
    assert second.status("GET", "/v2/") == 200
    deadline = time.monotonic() + 60
    while list(uploads.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(uploads.iterdir()) == []
    assert first.status("GET", location) == 404
