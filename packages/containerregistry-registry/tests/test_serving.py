"""``serve`` and ``crane registry serve --server``: the built-in server and gunicorn."""

from __future__ import annotations

import hashlib
import http.client
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_containerregistry import RegistryProcessFactory

from containerregistry.registry import Registry, ServerUnavailableError, serve
from containerregistry.registry._serving import choose


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_unknown_server_is_refused() -> None:
    with pytest.raises(ServerUnavailableError, match="'tornado' is not one of builtin, gunicorn"):
        choose("tornado")


def test_builtin_server_has_one_process() -> None:
    with pytest.raises(ServerUnavailableError, match="--workers needs --server gunicorn"):
        serve(Registry(), address="127.0.0.1:0", server="builtin", workers=2)


def test_missing_gunicorn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "gunicorn" else real(name)
    )
    with pytest.raises(ServerUnavailableError, match=r"containerregistry-registry\[server\]"):
        choose("gunicorn")


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def test_workers_without_shared_storage_are_refused() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "containerregistry.crane.cli",
            "registry",
            "serve",
            "--server",
            "builtin",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 1
    assert "--workers above 1 needs --disk or --storage" in done.stderr


def test_gunicorn_workers_serve_one_disk(
    tmp_path: Path, registry_process: RegistryProcessFactory
) -> None:
    """Two gunicorn workers on one directory: chunked (Transfer-Encoding) and
    Content-Range uploads over fresh connections, which may land on either worker."""
    import gunicorn  # the `server` extra; nox's tests session installs it  # noqa: F401

    served = registry_process("--disk", str(tmp_path), "--server", "gunicorn", "--workers", "2")
    port = served.port
    data = bytes(range(256)) * 4000
    for _ in range(4):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, headers, _ = _request(connection, "POST", "/v2/app/blobs/uploads/")
        assert status == 202
        location = headers["Location"]
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, headers, _ = _request(
            connection,
            "PATCH",
            location,
            iter([data[:1000], data[1000:500_000]]),  # http.client sends it chunked
        )
        assert (status, headers["Range"]) == (202, "0-499999")
        connection.close()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        status, headers, _ = _request(
            connection,
            "PUT",
            f"{location}?digest={_digest(data)}",
            data[500_000:],
            {"Content-Range": f"500000-{len(data) - 1}"},
        )
        assert (status, headers["Docker-Content-Digest"]) == (201, _digest(data))
        status, _, body = _request(connection, "GET", f"/v2/app/blobs/{_digest(data)}")
        assert (status, body) == (200, data)
        status, headers, body = _request(
            connection,
            "GET",
            f"/v2/app/blobs/{_digest(data)}",
            headers={"Range": "bytes=10-19"},
        )
        assert (status, body) == (206, data[10:20])
        connection.close()
    assert served.stop() == 0
    blob = _digest(data).split(":")[1]
    stored = tmp_path / "docker/registry/v2/blobs/sha256" / blob[:2] / blob / "data"
    assert stored.read_bytes() == data


def test_gunicorn_cuts_off_a_stalled_upload(
    tmp_path: Path, registry_process: RegistryProcessFactory
) -> None:
    """--read-timeout under gunicorn: a PATCH whose body stops arriving is answered
    408 and closed, and its upload is gone."""
    import socket

    import gunicorn  # noqa: F401

    served = registry_process(
        "--disk", str(tmp_path), "--server", "gunicorn", "--read-timeout", "1"
    )
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
    status, headers, _ = _request(connection, "POST", "/v2/app/blobs/uploads/")
    assert status == 202
    location = headers["Location"]
    with socket.create_connection(("127.0.0.1", served.port), timeout=60) as sock:
        sock.sendall(
            f"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n".encode()
            + b"x" * 100
        )
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"BLOB_UPLOAD_INVALID"' in reply
    status, _, body = _request(connection, "GET", location)
    assert (status, b"BLOB_UPLOAD_UNKNOWN" in body) == (404, True)
    assert list(tmp_path.rglob("_uploads/*")) == []
    connection.close()
    assert served.stop() == 0
