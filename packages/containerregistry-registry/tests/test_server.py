"""The HTTP/1.1 server over real sockets: keep-alive, chunked bodies, sendfile, drains."""

from __future__ import annotations

import hashlib
import http.client
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from containerregistry.registry import (
    DiskStorage,
    Registry,
    RegistryServer,
    ServerAddressError,
    make_server,
    parse_address,
)

BLOB = bytes(range(256)) * 4096  # 1 MiB
DIGEST = "sha256:" + hashlib.sha256(BLOB).hexdigest()


@pytest.fixture
def server(tmp_path: Any) -> Iterator[RegistryServer]:
    app = Registry(storage=DiskStorage(tmp_path / "disk"))
    server = make_server(app, address="127.0.0.1:0").start()
    yield server
    server.stop()


@pytest.fixture
def conn(server: RegistryServer) -> Iterator[http.client.HTTPConnection]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    yield connection
    connection.close()


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read()


def _chunked(conn: http.client.HTTPConnection, path: str, parts: list[bytes]) -> int:
    conn.putrequest("POST", path)
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    for part in parts:
        conn.send(b"%x\r\n%s\r\n" % (len(part), part))
    conn.send(b"0\r\n\r\n")
    response = conn.getresponse()
    response.read()
    return response.status


def test_keep_alive_serves_many_requests_on_one_connection(
    conn: http.client.HTTPConnection,
) -> None:
    for _ in range(20):
        status, headers, _ = _request(conn, "GET", "/v2/")
        assert status == 200
        assert headers["Docker-Distribution-API-Version"] == "registry/2.0"
    sock = conn.sock
    assert _request(conn, "HEAD", f"/v2/foo/blobs/{DIGEST}")[0] == 404
    assert conn.sock is sock  # the same TCP connection throughout


def test_chunked_upload_then_full_and_ranged_get_via_sendfile(
    conn: http.client.HTTPConnection,
) -> None:
    parts = [BLOB[i : i + 100_000] for i in range(0, len(BLOB), 100_000)]
    assert _chunked(conn, f"/v2/foo/blobs/uploads/?digest={DIGEST}", parts) == 201
    status, headers, body = _request(conn, "GET", f"/v2/foo/blobs/{DIGEST}")
    assert (status, body, headers["Content-Length"]) == (200, BLOB, str(len(BLOB)))
    status, headers, body = _request(
        conn, "GET", f"/v2/foo/blobs/{DIGEST}", headers={"Range": "bytes=1000-1999"}
    )
    assert (status, body) == (206, BLOB[1000:2000])
    status, headers, body = _request(conn, "HEAD", f"/v2/foo/blobs/{DIGEST}")
    assert (status, body, headers["Content-Length"]) == (200, b"", str(len(BLOB)))


def test_unread_body_of_a_refused_request_is_drained(conn: http.client.HTTPConnection) -> None:
    status, _, body = _request(conn, "PUT", "/v2/BAD/manifests/x", b"{}" * 100)
    assert status == 400
    assert b"NAME_INVALID" in body
    assert _request(conn, "GET", "/v2/")[0] == 200  # the connection is still in sync


def test_body_shorter_than_content_length_stores_nothing(
    server: RegistryServer, conn: http.client.HTTPConnection
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = (
            f"POST /v2/foo/blobs/uploads/?digest={DIGEST} HTTP/1.1\r\n"
            f"Host: x\r\nContent-Length: {len(BLOB)}\r\n\r\n"
        )
        sock.sendall(head.encode() + BLOB[:1000])
        sock.shutdown(socket.SHUT_WR)
        reply = sock.recv(65536)
    assert b"400" in reply.split(b"\r\n")[0]
    assert b"SIZE_INVALID" in reply
    assert _request(conn, "HEAD", f"/v2/foo/blobs/{DIGEST}")[0] == 404
    storage = server.app.storage
    assert list(storage.uploads()) == []
    assert list(storage.root.rglob("_uploads/*")) == []


def test_expect_100_continue(conn: http.client.HTTPConnection) -> None:
    status, _, _ = _request(
        conn,
        "POST",
        f"/v2/foo/blobs/uploads/?digest={DIGEST}",
        BLOB,
        {"Expect": "100-continue"},
    )
    assert status == 201


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param(":0", ("", 0), id="all-interfaces"),
        pytest.param("127.0.0.1:5000", ("127.0.0.1", 5000), id="ipv4"),
        pytest.param("[::1]:80", ("::1", 80), id="ipv6"),
        pytest.param("localhost:65535", ("localhost", 65535), id="name"),
    ],
)
def test_parse_address(address: str, expected: tuple[str, int]) -> None:
    assert parse_address(address) == expected


@pytest.mark.parametrize("address", ["5000", "host:port", "h:70000", "h:-1"])
def test_parse_address_rejects(address: str) -> None:
    with pytest.raises(ServerAddressError, match="address"):
        parse_address(address)


def test_broken_chunked_upload_stores_nothing(
    server: RegistryServer, conn: http.client.HTTPConnection
) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = (
            f"POST /v2/foo/blobs/uploads/?digest={DIGEST} HTTP/1.1\r\n"
            "Host: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.sendall(head.encode() + b"%x\r\n" % 5000 + BLOB[:1000])
        sock.shutdown(socket.SHUT_WR)
        sock.recv(65536)
    assert _request(conn, "HEAD", f"/v2/foo/blobs/{DIGEST}")[0] == 404
    assert list(server.app.storage.uploads()) == []
    assert list(server.app.storage.root.rglob("_uploads/*")) == []
