"""Upload flows across several requests: streamed, chunked, status, cancel, failure."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

import pytest

from containerregistry.registry import DiskStorage, MemoryStorage, Registry

DATA = bytes(range(256)) * 40  # 10240 bytes
DIGEST = "sha256:" + hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["memory", "disk"])
def storage(request: pytest.FixtureRequest, tmp_path: Any) -> Any:
    return MemoryStorage() if request.param == "memory" else DiskStorage(tmp_path / "registry")


@pytest.fixture
def flow(client: Any, storage: Any) -> Any:
    client.app = Registry(storage=storage)
    return client


def _start(client: Any, repository: str = "foo") -> str:
    result = client.call("POST", f"/v2/{repository}/blobs/uploads/")
    assert result.status == 202
    assert result.headers["Docker-Upload-UUID"] in result.headers["Location"]
    return str(result.headers["Location"])


def test_streamed_patch_then_put(flow: Any, storage: Any, uploads_left: Any) -> None:
    location = _start(flow)
    patched = flow.call("PATCH", location, DATA)
    assert (patched.status, patched.headers["Range"]) == (202, f"0-{len(DATA) - 1}")
    done = flow.call("PUT", f"{location}?digest={DIGEST}")
    assert done.status == 201
    assert done.headers["Location"] == f"/v2/foo/blobs/{DIGEST}"
    assert flow.call("GET", f"/v2/foo/blobs/{DIGEST}").body == DATA
    assert uploads_left(storage) == []


def test_chunked_upload_with_final_chunk_in_put(flow: Any) -> None:
    location = _start(flow)
    for first in range(0, 8192, 4096):
        chunk = DATA[first : first + 4096]
        headers = {"Content-Range": f"{first}-{first + len(chunk) - 1}"}
        assert flow.call("PATCH", location, chunk, headers).status == 202
    status = flow.call("GET", location)
    assert (status.status, status.headers["Range"]) == (204, "0-8191")
    final = DATA[8192:]
    headers = {"Content-Range": f"8192-{len(DATA) - 1}"}
    assert flow.call("PUT", f"{location}?digest={DIGEST}", final, headers).status == 201
    assert flow.call("GET", f"/v2/foo/blobs/{DIGEST}").body == DATA


@pytest.mark.parametrize(
    ("content_range", "body", "status", "code"),
    [
        pytest.param("150-249", DATA[:100], 416, "RANGE_INVALID", id="gap"),
        pytest.param("0-99", DATA[:100], 416, "RANGE_INVALID", id="overlap"),
        pytest.param("150-", DATA[:100], 416, "RANGE_INVALID", id="open-end-gap"),
        pytest.param("100-98", DATA[:100], 416, "RANGE_INVALID", id="backwards"),
        pytest.param("garbage", DATA[:100], 416, "RANGE_INVALID", id="malformed"),
        # Distribution's answer when Content-Length and the range disagree.
        pytest.param("100-150", DATA[:100], 400, "SIZE_INVALID", id="length-mismatch"),
    ],
)
def test_chunk_that_does_not_continue_is_refused_with_where_the_upload_stands(
    flow: Any, content_range: str, body: bytes, status: int, code: str
) -> None:
    location = _start(flow)
    assert flow.call("PATCH", location, DATA[:100], {"Content-Range": "0-99"}).status == 202
    refused = flow.call("PATCH", location, body, {"Content-Range": content_range})
    assert (refused.status, refused.codes) == (status, [code])
    assert refused.headers["Range"] == "0-99"
    assert refused.headers["Location"] == location
    # The upload goes on from where it was.
    rest = {"Content-Range": f"100-{len(DATA) - 1}"}
    assert flow.call("PATCH", location, DATA[100:], rest).status == 202
    assert flow.call("PUT", f"{location}?digest={DIGEST}").status == 201


@pytest.mark.parametrize("content_range", ["100-", "bytes 100-", "bytes=100-"])
def test_an_open_ended_range_at_the_upload_end_is_the_rest_of_a_stream(
    flow: Any, content_range: str
) -> None:
    """``N-`` is no spec form, but unambiguous where N is the upload's size:
    Distribution appends a streamed body whatever its Content-Range says."""
    location = _start(flow)
    assert flow.call("PATCH", location, DATA[:100], {"Content-Range": "0-99"}).status == 202
    rest = flow.call("PATCH", location, DATA[100:], {"Content-Range": content_range})
    assert (rest.status, rest.headers["Range"]) == (202, f"0-{len(DATA) - 1}")
    assert flow.call("PUT", f"{location}?digest={DIGEST}").status == 201
    assert flow.call("GET", f"/v2/foo/blobs/{DIGEST}").body == DATA


def test_wrong_digest_stores_nothing_and_ends_the_upload(
    flow: Any, storage: Any, uploads_left: Any
) -> None:
    location = _start(flow)
    flow.call("PATCH", location, DATA)
    wrong = "sha256:" + "1" * 64
    failed = flow.call("PUT", f"{location}?digest={wrong}")
    assert (failed.status, failed.codes) == (400, ["DIGEST_INVALID"])
    assert failed.json()["errors"][0]["detail"] == {"expected": wrong, "actual": DIGEST}
    assert flow.call("HEAD", f"/v2/foo/blobs/{wrong}").status == 404
    assert flow.call("HEAD", f"/v2/foo/blobs/{DIGEST}").status == 404
    assert flow.call("GET", location).status == 404
    assert uploads_left(storage) == []


def test_put_without_digest_keeps_the_upload(flow: Any) -> None:
    location = _start(flow)
    flow.call("PATCH", location, DATA)
    assert flow.call("PUT", location).codes == ["DIGEST_INVALID"]
    assert flow.call("PUT", f"{location}?digest={DIGEST}").status == 201


def test_cancel_discards(flow: Any, storage: Any, uploads_left: Any) -> None:
    location = _start(flow)
    flow.call("PATCH", location, DATA)
    assert flow.call("DELETE", location).status == 204
    assert flow.call("PATCH", location, DATA).codes == ["BLOB_UPLOAD_UNKNOWN"]
    assert flow.call("HEAD", f"/v2/foo/blobs/{DIGEST}").status == 404
    assert uploads_left(storage) == []


def test_upload_belongs_to_its_repository(flow: Any) -> None:
    location = _start(flow, "foo")
    other = location.replace("/v2/foo/", "/v2/bar/")
    assert flow.call("PATCH", other, DATA).codes == ["BLOB_UPLOAD_UNKNOWN"]


def test_abandoned_upload_is_discarded(client: Any, storage: Any, uploads_left: Any) -> None:
    client.app = Registry(storage=storage, upload_purging_age=0.05)
    location = _start(client)
    client.call("PATCH", location, DATA[:10])
    time.sleep(0.1)
    assert client.app.uploads.purge() == [("foo", location.rsplit("/", 1)[1])]
    assert client.call("GET", location).codes == ["BLOB_UPLOAD_UNKNOWN"]
    assert uploads_left(storage) == []


def test_empty_blob(flow: Any) -> None:
    empty = "sha256:" + hashlib.sha256(b"").hexdigest()
    location = _start(flow)
    assert flow.call("GET", location).headers["Range"] == "0-0"
    assert flow.call("PUT", f"{location}?digest={empty}").status == 201
    got = flow.call("GET", f"/v2/foo/blobs/{empty}")
    assert (got.status, got.body, got.headers["Content-Length"]) == (200, b"", "0")


def test_deleted_blob_is_gone(populated: Any) -> None:
    client = populated.client
    assert client.call("DELETE", f"/v2/foo/blobs/{populated.layer_digest}").status == 202
    assert client.call("GET", f"/v2/foo/blobs/{populated.layer_digest}").status == 404


def test_failed_manifest_put_changes_no_tag(populated: Any) -> None:
    client = populated.client
    broken = json.loads(populated.image)
    broken["layers"][0]["digest"] = "sha256:" + "2" * 64
    result = client.put_manifest("foo", "latest", json.dumps(broken).encode())
    assert result.codes == ["MANIFEST_BLOB_UNKNOWN"]
    assert client.call("HEAD", "/v2/foo/manifests/latest").headers["Docker-Content-Digest"] == (
        populated.image_digest
    )


def test_delete_manifest_by_digest_removes_its_tags(populated: Any) -> None:
    client = populated.client
    assert client.call("DELETE", f"/v2/foo/manifests/{populated.image_digest}").status == 202
    assert client.call("GET", "/v2/foo/manifests/latest").status == 404
    assert client.call("GET", "/v2/foo/tags/list").json()["tags"] == ["multi"]


def test_delete_tag_keeps_manifest(populated: Any) -> None:
    client = populated.client
    assert client.call("DELETE", "/v2/foo/manifests/latest").status == 202
    assert client.call("GET", "/v2/foo/manifests/latest").status == 404
    assert client.call("GET", f"/v2/foo/manifests/{populated.image_digest}").status == 200


def test_retag_moves_tag(populated: Any) -> None:
    client = populated.client
    assert client.put_manifest("foo", "latest", populated.index, client.OCI_INDEX).status == 201
    head = client.call("HEAD", "/v2/foo/manifests/latest")
    assert head.headers["Docker-Content-Digest"] == populated.index_digest
    assert head.headers["Content-Type"] == client.OCI_INDEX
