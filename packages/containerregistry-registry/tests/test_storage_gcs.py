"""Storage in a bucket: gcp-storage-emulator with generation preconditions (as GCS)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pytest_containerregistry import RegistryProcessFactory

from containerregistry.registry import GcsDriver, GcsStorage, StorageUrlError
from containerregistry.registry._driver import OffsetMismatch
from containerregistry.registry._driver_gcs import UPLOAD_CHUNK, default_client

ROOT = "docker/registry/v2"
BUCKET = "registry"  # conftest's
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"
Instance = Callable[[], Any]


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _objects(url: str) -> list[str]:
    prefix = url.split("/", 3)[3]
    return sorted(
        str(blob.name)[len(prefix) + 1 :]
        for blob in default_client().list_blobs(BUCKET, prefix=prefix + "/")
    )


@pytest.mark.parametrize(
    ("url", "bucket", "prefix"),
    [
        pytest.param("gs://b", "b", "", id="root"),
        pytest.param("gs://b/", "b", "", id="root-slash"),
        pytest.param("gs://b/x/y/", "b", "x/y", id="nested"),
    ],
)
def test_url(url: str, bucket: str, prefix: str) -> None:
    driver = GcsDriver.from_url(url)
    assert (driver.bucket_name, driver.prefix) == (bucket, prefix)


@pytest.mark.parametrize("url", ["s3://b/x", "gs://", "gs:///x", "gs://b/../x", "gs://b/a//b"])
def test_bad_url(url: str) -> None:
    with pytest.raises(StorageUrlError, match="gs://BUCKET/PREFIX"):
        GcsStorage(url)


def test_objects_in_distributions_layout(gcs_url: str, gcs_instance: Instance) -> None:
    client = gcs_instance()
    layer = b"layer bytes " * 100
    manifest = client.image_manifest("team/app", layer)
    assert client.put_manifest("team/app", "v1", manifest).status == 201
    layer_hex = digest_of(layer).split(":")[1]
    manifest_hex = digest_of(manifest).split(":")[1]
    names = _objects(gcs_url)
    repository = f"{ROOT}/repositories/team/app"
    for expected in [
        f"{ROOT}/blobs/sha256/{layer_hex[:2]}/{layer_hex}/data",
        f"{ROOT}/blobs/sha256/{manifest_hex[:2]}/{manifest_hex}/data",
        f"{repository}/_layers/sha256/{layer_hex}/link",
        f"{repository}/_manifests/revisions/sha256/{manifest_hex}/link",
        f"{repository}/_manifests/tags/v1/current/link",
        f"{repository}/_manifests/tags/v1/index/sha256/{manifest_hex}/link",
    ]:
        assert expected in names
    assert not [name for name in names if "_uploads" in name or ".tmp-" in name]
    link = (
        default_client()
        .bucket(BUCKET)
        .blob(f"{gcs_url.split('/', 3)[3]}/{repository}/_manifests/tags/v1/current/link")
    )
    assert link.download_as_bytes() == digest_of(manifest).encode()


def test_chunked_upload_across_instances(gcs_url: str, gcs_instance: Instance) -> None:
    first, second = gcs_instance(), gcs_instance()
    data = os.urandom(300_000)
    started = first.call("POST", "/v2/repo/blobs/uploads/")
    assert started.status == 202
    location = started.headers["Location"]
    patched = second.call("PATCH", location, data[:100_000], {"Content-Range": "0-99999"})
    assert (patched.status, patched.headers["Range"]) == (202, "0-99999")
    patched = first.call(
        "PATCH", location, data[100_000:200_000], {"Content-Range": "100000-199999"}
    )
    assert (patched.status, patched.headers["Range"]) == (202, "0-199999")
    # A chunk that does not continue the upload: 416 with where it stands.
    stale = second.call("PATCH", location, data[:100_000], {"Content-Range": "0-99999"})
    assert (stale.status, stale.headers["Range"]) == (416, "0-199999")
    status = first.call("GET", location)
    assert (status.status, status.headers["Range"]) == (204, "0-199999")
    done = second.call("PUT", f"{location}?digest={digest_of(data)}", data[200_000:])
    assert (done.status, done.headers["Docker-Content-Digest"]) == (201, digest_of(data))
    for instance in (first, second):
        got = instance.call("GET", f"/v2/repo/blobs/{digest_of(data)}")
        assert (got.status, got.body) == (200, data)
    assert not [name for name in _objects(gcs_url) if "_uploads" in name]


def test_wrong_digest_leaves_nothing(gcs_url: str, gcs_instance: Instance) -> None:
    first, second = gcs_instance(), gcs_instance()
    location = first.call("POST", "/v2/repo/blobs/uploads/").headers["Location"]
    assert second.call("PATCH", location, b"abc").status == 202
    wrong = first.call("PUT", f"{location}?digest={digest_of(b'xyz')}", b"def")
    assert (wrong.status, wrong.codes) == (400, ["DIGEST_INVALID"])
    assert _objects(gcs_url) == []


def test_large_blob_streams_and_ranges(gcs_instance: Instance) -> None:
    """A blob over the chunk size goes up as a resumable upload and down as a stream."""
    client = gcs_instance()
    data = hashlib.sha256(b"seed").digest() * ((UPLOAD_CHUNK + 5_000_000) // 32)
    location = client.call("POST", "/v2/repo/blobs/uploads/").headers["Location"]
    assert client.call("PATCH", location, data[:1000], {"Content-Range": "0-999"}).status == 202
    done = client.call("PUT", f"{location}?digest={digest_of(data)}", data[1000:])
    assert done.status == 201
    other = gcs_instance()
    got = other.call("GET", f"/v2/repo/blobs/{digest_of(data)}")
    assert (got.status, len(got.body), digest_of(got.body)) == (200, len(data), digest_of(data))
    ranged = other.call(
        "GET", f"/v2/repo/blobs/{digest_of(data)}", headers={"Range": "bytes=9000000-9000009"}
    )
    assert (ranged.status, ranged.body) == (206, data[9_000_000:9_000_010])


def test_append_race_one_wins(gcs_url: str) -> None:
    """Two instances append at the same offset at once: the composition that lost
    the generation race changes nothing and learns the new size."""
    first = GcsDriver.from_url(gcs_url)
    second = GcsDriver.from_url(gcs_url)
    path = f"{ROOT}/repositories/repo/_uploads/u1/data"
    first.write(path, b"")
    assert first.append(path, [b"head"], 0) == 4

    def racing() -> Iterator[bytes]:
        yield b"from first"
        # While the first instance's part is on its way, the second one appends.
        assert second.append(path, [b"from second"], 4) == 15

    with pytest.raises(OffsetMismatch) as caught:
        first.append(path, racing(), 4)
    assert caught.value.size == 15
    assert first.read(path) == b"headfrom second"
    assert not [name for name in _objects(gcs_url) if ".tmp-part-" in name]


@pytest.mark.parametrize("size", [10, UPLOAD_CHUNK + 1000], ids=["small", "resumable"])
@pytest.mark.parametrize("offset", [0, 4], ids=["first", "later"])
def test_broken_body_appends_nothing(gcs_url: str, size: int, offset: int) -> None:
    driver = GcsDriver.from_url(gcs_url)
    path = f"{ROOT}/repositories/repo/_uploads/u2/data"
    driver.write(path, b"head"[:offset])

    def broken() -> Iterator[bytes]:
        yield b"x" * size
        raise ConnectionError("the client went away")

    with pytest.raises(ConnectionError):
        driver.append(path, broken(), offset)
    assert driver.read(path) == b"head"[:offset]
    assert _objects(gcs_url) == [path]


def test_delete_list_and_move(gcs_url: str) -> None:
    driver = GcsDriver.from_url(gcs_url)
    driver.write("a/b/c", b"1")
    driver.write("a/b/d/e", b"2")
    driver.write("a/f", b"3")
    assert driver.list("a") == ["b", "f"]
    assert driver.list("a/b") == ["c", "d"]
    assert driver.list("missing") == []
    assert (driver.size("a/b"), driver.size("a/f")) == (None, 1)
    driver.move("a/f", "g/h")
    assert (driver.read("a/f"), driver.read("g/h")) == (None, b"3")
    assert driver.delete("a/b") is True
    assert driver.delete("a/b") is False
    assert _objects(gcs_url) == ["g/h"]


def _http(port: int, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_crane_serve_storage_two_processes(
    gcs_url: str, registry_process: RegistryProcessFactory
) -> None:
    """Two `crane registry serve --storage gs://...` processes: an upload begun on
    one ends on the other, and a tag pushed to one is read from the other."""
    first_port = registry_process("--storage", gcs_url, "--server", "builtin").port
    second_port = registry_process("--storage", gcs_url, "--server", "builtin").port
    data = b"bucket blob " * 1000
    status, headers, _ = _http(first_port, "POST", "/v2/app/blobs/uploads/")
    assert status == 202
    location = headers["Location"]
    status, _, _ = _http(second_port, "PATCH", location, data[:5000])
    assert status == 202
    status, headers, _ = _http(
        first_port, "PUT", f"{location}?digest={digest_of(data)}", data[5000:]
    )
    assert (status, headers["Docker-Content-Digest"]) == (201, digest_of(data))
    config = b"{}"
    status, _, _ = _http(
        second_port, "POST", f"/v2/app/blobs/uploads/?digest={digest_of(config)}", config
    )
    assert status == 201
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": digest_of(config), "size": 2},
            "layers": [{"mediaType": LAYER, "digest": digest_of(data), "size": len(data)}],
        }
    ).encode()
    status, _, _ = _http(
        first_port,
        "PUT",
        "/v2/app/manifests/v1",
        manifest,
        **{"Content-Type": OCI_MANIFEST},
    )
    assert status == 201
    status, headers, body = _http(second_port, "GET", "/v2/app/manifests/v1")
    assert (status, body, headers["Docker-Content-Digest"]) == (
        200,
        manifest,
        digest_of(manifest),
    )
    status, _, body = _http(second_port, "GET", "/v2/_catalog")
    assert (status, json.loads(body)) == (200, {"repositories": ["app"]})
