"""Reads: get, head, image, index, layer; Accept headers, laziness, platforms, verification."""

from __future__ import annotations

import json

import pytest
from remote_testkit import FAST_RETRY, BlobLayer, MemoryIndex, Served, random_image, sha

from containerregistry import name, remote, types
from containerregistry.transport import RegistryError
from containerregistry.v1 import Hash, Platform
from containerregistry.verify import DigestMismatchError

OPTS = {"retry": FAST_RETRY}


def test_get_sends_every_manifest_type_and_returns_the_bytes(registry: Served) -> None:
    img = random_image(1)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.clear()

    desc = remote.get(registry.ref("app:v1"), **OPTS)

    assert desc.raw_manifest() == img.raw
    assert desc.digest == img.digest()
    assert desc.media_type == types.OCI_MANIFEST_SCHEMA1
    assert desc.descriptor.artifact_type == types.OCI_CONFIG_JSON
    (seen,) = registry.recorder.requests("GET", "/manifests/")
    accept = seen.headers["Accept"].split(",")
    assert set(accept) == {
        types.OCI_IMAGE_INDEX,
        types.DOCKER_MANIFEST_LIST,
        types.OCI_MANIFEST_SCHEMA1,
        types.DOCKER_MANIFEST_SCHEMA2,
        types.DOCKER_MANIFEST_SCHEMA1,
        types.DOCKER_MANIFEST_SCHEMA1_SIGNED,
    }


def test_head_reads_only_headers(registry: Served) -> None:
    img = random_image(2)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.clear()
    found = remote.head(registry.ref("app:v1"), **OPTS)
    assert (found.digest, found.size, found.media_type) == (
        img.digest(),
        img.size(),
        types.OCI_MANIFEST_SCHEMA1,
    )
    assert [s.method for s in registry.recorder.requests(contains="/manifests/")] == ["HEAD"]


def test_image_is_lazy_and_memoizes_the_config(registry: Served) -> None:
    img = random_image(3, layers=3)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.clear()

    got = remote.image(registry.ref("app:v1"), **OPTS)
    assert registry.recorder.requests("GET", "/blobs/") == []
    assert got.config_file().os == "linux"
    assert got.raw_config_file() == img.config
    assert len(registry.recorder.requests("GET", "/blobs/")) == 1

    layers = got.layers()
    assert [lay.digest() for lay in layers] == [lay.digest() for lay in img.layers()]
    assert [lay.diff_id() for lay in layers] == [lay.diff_id() for lay in img.layers()]
    with layers[0].compressed() as stream:
        assert stream.read() == img.layers()[0].blob  # type: ignore[attr-defined]
    with layers[1].uncompressed() as stream:
        assert stream.read() == img.layers()[1].tar  # type: ignore[attr-defined]
    assert got.layer_by_diff_id(img.layers()[2].diff_id()).digest() == img.layers()[2].digest()
    assert got.layer_by_digest(img.config_name()).size() == len(img.config)
    # one config fetch, and one per opened layer
    assert len(registry.recorder.requests("GET", "/blobs/")) == 3


def _push_index(registry: Served) -> MemoryIndex:
    idx = MemoryIndex(
        [
            (random_image(10, platform=("linux", "arm64")), "linux/arm64/v8"),
            (random_image(11), "linux/amd64"),
            (random_image(12, platform=("windows", "amd64")), "windows/amd64:10.0.17763"),
        ]
    )
    remote.write_index(registry.ref("multi:latest"), idx, **OPTS)
    return idx


@pytest.mark.parametrize(
    ("platform", "child"),
    [
        pytest.param(None, 1, id="default-linux-amd64"),
        pytest.param("linux/arm64", 0, id="variant-not-asked"),
        pytest.param("linux/arm64/v8", 0, id="variant-equal"),
        pytest.param("windows/amd64:10.0.17763", 2, id="os-version"),
    ],
)
def test_image_picks_the_platform_from_an_index(
    registry: Served, platform: str | None, child: int
) -> None:
    idx = _push_index(registry)
    registry.recorder.clear()
    opts = dict(OPTS, **({"platform": platform} if platform else {}))
    got = remote.image(registry.ref("multi:latest"), **opts)  # type: ignore[arg-type]
    want = list(idx.images.values())[child]
    assert got.digest() == want.digest()
    child_get = registry.recorder.requests("GET", f"/manifests/{want.digest()}")[0]
    assert child_get.headers["Accept"] == types.OCI_MANIFEST_SCHEMA1


@pytest.mark.parametrize("platform", ["linux/arm64/v7", "linux/s390x", "windows/amd64:1.0"])
def test_no_matching_platform_is_a_clear_error(registry: Served, platform: str) -> None:
    _push_index(registry)
    with pytest.raises(remote.PlatformNotFoundError, match="linux/arm64/v8"):
        remote.image(registry.ref("multi:latest"), platform=platform, **OPTS)  # type: ignore[arg-type]


def test_index_children_load_on_demand(registry: Served) -> None:
    idx = _push_index(registry)
    registry.recorder.clear()
    got = remote.index(registry.ref("multi:latest"), **OPTS)
    assert got.digest() == idx.digest()
    assert len(got.index_manifest().manifests or ()) == 3
    assert len(registry.recorder.requests("GET", "/manifests/")) == 1
    first = next(iter(idx.images))
    assert got.image(first).raw_manifest() == idx.images[first].raw
    with pytest.raises(remote.UnexpectedMediaTypeError):
        remote.index(registry.ref(f"multi@{first}"), **OPTS)


@pytest.mark.parametrize(
    ("matches", "have", "want"),
    [
        pytest.param(True, None, "linux/amd64", id="no-platform-is-linux-amd64"),
        pytest.param(False, "linux/arm64", "linux/arm64/v8", id="variant-asked-missing"),
        pytest.param(True, "linux/arm64/v8", "linux/arm64", id="variant-not-asked"),
        pytest.param(False, "linux/amd64", "windows/amd64", id="os-differs"),
    ],
)
def test_matches_platform(matches: bool, have: str | None, want: str) -> None:
    have_p = Platform.parse(have) if have else None
    assert remote.matches_platform(have_p, Platform.parse(want)) is matches


def test_a_corrupt_blob_is_an_error_not_data(registry: Served) -> None:
    img = random_image(4, layers=1)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    layer_digest = str(img.layers()[0].digest())

    def corrupt(seen, data):  # type: ignore[no-untyped-def]
        if seen.path.endswith(layer_digest):
            return bytes([data[0] ^ 1]) + data[1:]
        return data

    registry.recorder.rewrite_body = corrupt
    got = remote.image(registry.ref("app:v1"), **OPTS)
    with pytest.raises(DigestMismatchError), got.layers()[0].compressed() as stream:
        stream.read()


def test_a_manifest_by_digest_must_match(registry: Served) -> None:
    img = random_image(5)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.rewrite_body = lambda seen, data: (
        data.replace(b'"schemaVersion":2', b'"schemaVersion": 2')
        if "/manifests/" in seen.path
        else data
    )
    with pytest.raises(remote.ManifestError, match="wrong content"):
        remote.get(registry.ref(f"app@{img.digest()}"), **OPTS)


def test_missing_manifest_is_a_registry_error(registry: Served) -> None:
    with pytest.raises(RegistryError) as info:
        remote.get(registry.ref("nothing:here"), **OPTS)
    assert info.value.status == 404
    assert "MANIFEST_UNKNOWN" in info.value.codes


def test_layer_by_digest_reference(registry: Served) -> None:
    img = random_image(6, layers=1)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    blob = img.layers()[0]
    got = remote.layer(name.new_digest(f"{registry.host}/app@{blob.digest()}"), **OPTS)
    assert got.size() == blob.size()
    assert got.diff_id() == blob.diff_id()


def test_schema1_is_kept_raw_for_copying(registry: Served, other_registry: Served) -> None:
    blob = BlobLayer(b"schema one layer")
    remote.write_layer(registry.repo("old"), blob, **OPTS)
    raw = json.dumps(
        {
            "schemaVersion": 1,
            "name": "old",
            "tag": "v1",
            "architecture": "amd64",
            "fsLayers": [{"blobSum": str(blob.digest())}],
            "history": [{"v1Compatibility": "{}"}],
        }
    ).encode()

    class Raw:
        def raw_manifest(self) -> bytes:
            return raw

        def media_type(self) -> str:
            return types.DOCKER_MANIFEST_SCHEMA1

    remote.put(registry.ref("old:v1"), Raw(), **OPTS)
    desc = remote.get(registry.ref("old:v1"), **OPTS)
    assert desc.media_type == types.DOCKER_MANIFEST_SCHEMA1
    with pytest.raises(remote.Schema1Error):
        desc.image()
    old = desc.schema1()
    assert [lay.digest() for lay in old.layers()] == [blob.digest()]
    remote.write(other_registry.ref("copy:v1"), old, **OPTS)
    copied = remote.get(other_registry.ref("copy:v1"), **OPTS)
    assert copied.raw_manifest() == raw
    assert sha(raw) == str(Hash.of(raw))


class _BlobServer:
    """A registry of one blob over raw HTTP/1.1 keep-alive; ``blob_connections`` holds
    the client port of every GET of the blob.

    ``cut`` makes every GET of the blob send only that many bytes of the body its
    ``Content-Length`` promises, then close the connection.
    """

    def __init__(self, blob: bytes, cut: int | None = None) -> None:
        import http.server
        import threading

        server_self = self
        self.blob, self.cut = blob, cut
        self.blob_connections: list[int] = []
        self.digest = sha(blob)

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, body: bool) -> None:
                if self.path == "/v2/":
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(server_self.blob)))
                self.end_headers()
                if not body:
                    return
                if server_self.cut is None:
                    self.wfile.write(server_self.blob)
                else:
                    self.wfile.write(server_self.blob[: server_self.cut])
                    self.wfile.flush()
                    self.close_connection = True

            def do_GET(self) -> None:
                if self.path != "/v2/":
                    server_self.blob_connections.append(self.client_address[1])
                self._answer(body=True)

            def do_HEAD(self) -> None:
                self._answer(body=False)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()
        self.host = f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_blob_body_cut_short_is_a_transport_error_naming_the_count() -> None:
    from containerregistry.transport import TransportError

    server = _BlobServer(bytes(range(256)) * 40, cut=4000)
    try:
        got = remote.layer(name.new_digest(f"{server.host}/rr@{server.digest}"), **OPTS)
        with got.compressed() as stream, pytest.raises(TransportError, match="after 4000") as info:
            stream.read()
        assert "6240 more expected" in str(info.value)
    finally:
        server.close()


def test_blobs_read_to_the_end_share_one_connection() -> None:
    blob = bytes(range(256)) * 9000
    server = _BlobServer(blob)
    try:
        got = remote.layer(name.new_digest(f"{server.host}/rr@{server.digest}"), **OPTS)
        for _ in range(3):
            with got.compressed() as stream:
                assert stream.read() == blob
        assert len(server.blob_connections) == 3
        assert len(set(server.blob_connections)) == 1
    finally:
        server.close()


def test_each_resumed_download_is_one_line_on_the_retry_logger(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from containerregistry.transport import RETRY_LOGGER, TransportError

    server = _BlobServer(bytes(range(256)) * 40, cut=4000)
    try:
        got = remote.layer(name.new_digest(f"{server.host}/rr@{server.digest}"), **OPTS)
        with (
            caplog.at_level("INFO", logger=RETRY_LOGGER),
            got.compressed() as stream,
            pytest.raises(TransportError),
        ):
            stream.read()
    finally:
        server.close()
    lines = [r.getMessage() for r in caplog.records if r.name == RETRY_LOGGER]
    assert lines
    assert all(
        line.startswith(f"download of {server.digest} from {server.host} broke at byte ")
        for line in lines
    )
    assert lines[0].endswith(f"(try 2 of {FAST_RETRY.attempts})")
