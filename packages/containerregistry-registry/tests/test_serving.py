"""``serve`` and ``crane registry serve --server``: the built-in server and gunicorn."""

from __future__ import annotations

import hashlib
import http.client
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_containerregistry import RegistryProcessFactory

from containerregistry.registry import (
    Registry,
    ServerListenError,
    ServerUnavailableError,
    make_server,
    serve,
)
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


@pytest.mark.parametrize("server", ["builtin", "gunicorn"])
def test_an_address_in_use_says_so_and_what_to_do(server: str) -> None:
    import errno
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(ServerListenError) as caught:
            serve(Registry(), address=f"127.0.0.1:{port}", server=server)
    assert str(caught.value) == (
        f"cannot listen on 127.0.0.1:{port}: address already in use "
        "(is another registry running? pick another address)"
    )
    assert (caught.value.address, caught.value.errno) == (f"127.0.0.1:{port}", errno.EADDRINUSE)


@pytest.mark.parametrize(
    ("address", "said"),
    [
        # 192.0.2.0/24 is for documentation (RFC 5737): no machine has it.
        pytest.param(
            "192.0.2.1:5000",
            "cannot listen on 192.0.2.1:5000: no interface of this machine has that address",
            id="not-this-machine",
        ),
        pytest.param(
            "no-such-host.invalid:5000",
            "cannot listen on no-such-host.invalid:5000: host name 'no-such-host.invalid' "
            "does not resolve",
            id="unresolvable",
        ),
    ],
)
def test_make_server_names_the_address_it_cannot_listen_on(address: str, said: str) -> None:
    with pytest.raises(ServerListenError, match=f"^{re.escape(said)} "):
        make_server(Registry(), address=address)


def _upload_bytes(root: Path) -> int:
    (data,) = root.glob("docker/registry/v2/repositories/*/_uploads/*/data")
    return data.stat().st_size


def test_a_stream_cut_by_sigkill_resumes_where_the_restarted_server_says(
    tmp_path: Path, registry_process: RegistryProcessFactory
) -> None:
    """A streamed PATCH is under way when the server is SIGKILLed: what reached the
    disk is what the restarted server reports (``Range``), and the rest, streamed
    from there (no Content-Range, as clients resume a stream), completes the blob."""
    import socket
    import time

    data = hashlib.shake_128(b"sigkill").digest(4 << 20)
    first = registry_process("--disk", str(tmp_path))
    connection = http.client.HTTPConnection("127.0.0.1", first.port, timeout=60)
    status, headers, _ = _request(connection, "POST", "/v2/app/blobs/uploads/")
    assert status == 202
    location = headers["Location"]
    stream = socket.create_connection(("127.0.0.1", first.port), timeout=60)
    stream.sendall(
        f"PATCH {location} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    sent = 0
    deadline = time.monotonic() + 30
    while _upload_bytes(tmp_path) < 1 << 20:  # well into the body, never all of it
        assert time.monotonic() < deadline, "the server stored nothing of the stream"
        assert sent < len(data) // 2
        piece = data[sent : sent + 65536]
        stream.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        sent += len(piece)
        time.sleep(0.005)
    first.process.kill()
    first.stop()
    stream.close()
    connection.close()
    on_disk = _upload_bytes(tmp_path)
    second = registry_process("--disk", str(tmp_path), address=first.host)
    connection = http.client.HTTPConnection("127.0.0.1", second.port, timeout=60)
    status, headers, _ = _request(connection, "GET", location)
    assert (status, headers["Range"]) == (204, f"0-{on_disk - 1}")
    rest = iter([data[on_disk : on_disk + 1000], data[on_disk + 1000 :]])  # sent chunked
    status, headers, _ = _request(connection, "PATCH", location, rest)
    assert (status, headers["Range"]) == (202, f"0-{len(data) - 1}")
    status, headers, _ = _request(connection, "PUT", f"{location}?digest={_digest(data)}")
    assert (status, headers["Docker-Content-Digest"]) == (201, _digest(data))
    status, _, body = _request(connection, "GET", f"/v2/app/blobs/{_digest(data)}")
    assert (status, body) == (200, data)
    connection.close()
