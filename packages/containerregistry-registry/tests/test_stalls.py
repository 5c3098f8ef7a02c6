"""Uploads that stall: a body that stops arriving is cut off (``read_timeout``), an
upload nobody touches is purged from the storage (``upload_purging_age``), from
whichever instance on the storage sees it."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from containerregistry.registry import (
    DiskStorage,
    GcsStorage,
    MemoryStorage,
    Registry,
    RegistryServer,
    Storage,
    make_server,
)

DATA = bytes(range(256)) * 40  # 10240 bytes
DIGEST = "sha256:" + hashlib.sha256(DATA).hexdigest()
#: Short enough for a test, long enough that a loaded machine does not trip it
#: between two sends of a client that keeps going.
READ_TIMEOUT = 1.0
#: Seconds an upload may idle in the purging tests; the tests idle twice as long.
AGE = 1.0


@pytest.fixture(params=["memory", "disk"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> Storage:
    return MemoryStorage() if request.param == "memory" else DiskStorage(tmp_path / "registry")


@pytest.fixture
def server(storage: Storage) -> Iterator[RegistryServer]:
    app = Registry(storage=storage)
    server = make_server(app, address="127.0.0.1:0", read_timeout=READ_TIMEOUT).start()
    yield server
    server.stop()


def _call(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _codes(body: bytes) -> list[str]:
    return [error["code"] for error in json.loads(body)["errors"]]


def _start(port: int) -> str:
    status, headers, _ = _call(port, "POST", "/v2/foo/blobs/uploads/")
    assert status == 202
    return headers["Location"]


def _stall(port: int, head: str, sent: bytes) -> bytes:
    """Send ``head`` and ``sent`` of a body, then nothing; return everything the
    server answers until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + sent)
        reply = b""
        while chunk := sock.recv(65536):  # b"": the server closed the connection
            reply += chunk
    return reply


def _assert_cut_off(reply: bytes, code: str) -> None:
    status_line, _, rest = reply.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 408 Request Timeout"
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"Connection: close" in headers.split(b"\r\n")
    assert _codes(body) == [code]


def test_stalled_patch_is_cut_off_and_discarded(
    server: RegistryServer, storage: Storage, uploads_left: Any
) -> None:
    location = _start(server.port)
    first = _call(server.port, "PATCH", location, DATA[:1000])
    assert (first[0], first[1]["Range"]) == (202, "0-999")
    head = (
        f"PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Range: 1000-{len(DATA) - 1}\r\n"
        f"Content-Length: {len(DATA) - 1000}\r\n\r\n"
    )
    _assert_cut_off(_stall(server.port, head, DATA[1000:2000]), "BLOB_UPLOAD_INVALID")
    status, _, body = _call(server.port, "GET", location)
    assert (status, _codes(body)) == (404, ["BLOB_UPLOAD_UNKNOWN"])
    assert uploads_left(storage) == []


def test_stalled_chunked_patch_is_cut_off_and_discarded(
    server: RegistryServer, storage: Storage, uploads_left: Any
) -> None:
    location = _start(server.port)
    head = f"PATCH {location} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    sent = b"%x\r\n%s\r\n" % (1000, DATA[:1000]) + b"%x\r\n" % 5000 + DATA[1000:2000]
    _assert_cut_off(_stall(server.port, head, sent), "BLOB_UPLOAD_INVALID")
    status, _, body = _call(server.port, "PUT", f"{location}?digest={DIGEST}", DATA)
    assert (status, _codes(body)) == (404, ["BLOB_UPLOAD_UNKNOWN"])
    assert _call(server.port, "HEAD", f"/v2/foo/blobs/{DIGEST}")[0] == 404
    assert uploads_left(storage) == []


def test_stalled_monolithic_push_stores_nothing(
    server: RegistryServer, storage: Storage, uploads_left: Any
) -> None:
    head = (
        f"POST /v2/foo/blobs/uploads/?digest={DIGEST} HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {len(DATA)}\r\n\r\n"
    )
    _assert_cut_off(_stall(server.port, head, DATA[:100]), "BLOB_UPLOAD_INVALID")
    assert _call(server.port, "HEAD", f"/v2/foo/blobs/{DIGEST}")[0] == 404
    assert uploads_left(storage) == []


def test_stalled_manifest_changes_no_tag(server: RegistryServer) -> None:
    head = (
        "PUT /v2/foo/manifests/latest HTTP/1.1\r\nHost: x\r\n"
        "Content-Type: application/vnd.oci.image.manifest.v1+json\r\nContent-Length: 500\r\n\r\n"
    )
    _assert_cut_off(_stall(server.port, head, b'{"schemaVersion": 2,'), "MANIFEST_INVALID")
    assert _call(server.port, "GET", "/v2/foo/tags/list")[0] == 404


def test_a_client_that_keeps_sending_is_not_cut_off(
    server: RegistryServer, storage: Storage
) -> None:
    """The timeout is for silence, not for the whole body: pauses shorter than it add
    up to more than it, and the upload goes on."""
    location = _start(server.port)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("PATCH", location)
        connection.putheader("Content-Length", str(len(DATA)))
        connection.endheaders()
        parts = [DATA[i : i + 2560] for i in range(0, len(DATA), 2560)]
        for part in parts:
            connection.send(part)
            if part is not parts[-1]:
                time.sleep(READ_TIMEOUT * 0.4)
        response = connection.getresponse()
        assert (response.status, response.getheader("Range")) == (202, f"0-{len(DATA) - 1}")
        response.read()
    finally:
        connection.close()
    assert _call(server.port, "PUT", f"{location}?digest={DIGEST}")[0] == 201


def test_idle_upload_expires(storage: Storage, uploads_left: Any) -> None:
    """An upload that received nothing for the purging age answers 404 and is gone
    from the storage; one touched since goes on."""
    app = Registry(storage=storage, upload_purging_age=AGE, upload_purging_interval=3600)
    server = make_server(app, address="127.0.0.1:0").start()
    try:
        idle = _start(server.port)
        assert _call(server.port, "PATCH", idle, DATA[:1000])[0] == 202
        busy = _start(server.port)
        for offset in range(0, 3000, 1000):  # touched all along, so kept
            time.sleep(AGE * 0.4)
            patched = _call(server.port, "PATCH", busy, DATA[offset : offset + 1000])
            assert patched[0] == 202
        status, _, body = _call(server.port, "GET", idle)
        assert (status, _codes(body)) == (404, ["BLOB_UPLOAD_UNKNOWN"])
        assert uploads_left(storage) == [busy.rsplit("/", 1)[1]]
        assert _call(server.port, "GET", busy)[1]["Range"] == "0-2999"
    finally:
        server.stop()


@pytest.fixture(params=["disk", "gcs"])
def shared(request: pytest.FixtureRequest, tmp_path: Any) -> Callable[..., Registry]:
    """Makes registries, each its own instance, on one disk directory or bucket."""
    if request.param == "gcs":
        url = request.getfixturevalue("gcs_url")
        return lambda **options: Registry(storage=GcsStorage(url), **options)
    root = tmp_path / "registry"
    return lambda **options: Registry(storage=DiskStorage(root), **options)


def test_another_instance_purges_an_idle_upload(
    client: Any, shared: Callable[..., Registry]
) -> None:
    """Instance one starts uploads and goes away; instance two, on the same storage,
    deletes the one left idle and keeps the one still in use."""
    client.app = shared()
    idle = client.call("POST", "/v2/foo/blobs/uploads/").headers["Location"]
    assert client.call("PATCH", idle, DATA[:1000]).status == 202
    time.sleep(AGE * 2)
    busy = client.call("POST", "/v2/bar/blobs/uploads/").headers["Location"]
    other = shared(upload_purging_age=AGE, upload_purging_interval=3600)
    purged = other.uploads.purge()
    assert purged == [("foo", idle.rsplit("/", 1)[1])]
    assert [upload for _, upload in other.storage.uploads()] == [busy.rsplit("/", 1)[1]]
    assert client.call("GET", idle).codes == ["BLOB_UPLOAD_UNKNOWN"]
    assert client.call("GET", busy).status == 204


def test_a_request_starts_the_sweep_in_the_background(
    client: Any, shared: Callable[..., Registry]
) -> None:
    """Any request to an instance sweeps the storage, at most once an interval, and
    does not wait for it; a read-only instance never sweeps."""
    client.app = shared()
    idle = client.call("POST", "/v2/foo/blobs/uploads/").headers["Location"]
    time.sleep(AGE * 2)
    read_only = shared(upload_purging_age=3600, upload_purging_interval=3600, read_only=True)
    client.app = read_only
    assert client.call("GET", "/v2/").status == 200
    assert read_only.uploads.purge_soon() is True  # the request started none
    sweeper = shared(upload_purging_age=AGE, upload_purging_interval=3600)
    client.app = sweeper
    assert client.call("GET", "/v2/").status == 200
    assert sweeper.uploads.purge_soon() is False  # the request's sweep is the interval's
    deadline = time.monotonic() + 60
    while list(sweeper.storage.uploads()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(sweeper.storage.uploads()) == []
    assert client.call("GET", idle).codes == ["BLOB_UPLOAD_UNKNOWN"]
