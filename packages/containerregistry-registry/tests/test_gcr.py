"""The GCR flavour: extended tags/list JSON with child and manifest."""

from __future__ import annotations

from typing import Any

from containerregistry.registry import Registry

# 2020-01-01T00:00:00.123456789Z, as the helper's configs say.
CREATED_MS = "1577836800123"


def test_extended_tags_list(client: Any) -> None:
    client.app = Registry(gcr=True)
    layer = b"layer"
    image = client.image_manifest("proj/app", layer)
    assert client.put_manifest("proj/app", "v1", image).status == 201
    assert client.put_manifest("proj/app", "latest", image).status == 201
    # Each repository has its own blobs: push them to each (the same bytes).
    for repository in ("proj/app/sub", "proj/other/deep"):
        assert client.image_manifest(repository, layer) == image
        assert client.put_manifest(repository, "x", image).status == 201
    digest = client.digest_of(image)

    listing = client.call("GET", "/v2/proj/app/tags/list").json()
    assert list(listing) == ["child", "manifest", "name", "tags"]
    assert listing["child"] == ["sub"]
    assert listing["name"] == "proj/app"
    assert listing["tags"] == ["latest", "v1"]
    entry = listing["manifest"][digest]
    assert entry["imageSizeBytes"] == str(len(b'{"created": "2020-01-01T00:00:00.123456789Z"}') + 5)
    assert entry["mediaType"] == client.OCI_MANIFEST
    assert entry["tag"] == ["latest", "v1"]
    assert entry["timeCreatedMs"] == CREATED_MS
    assert int(entry["timeUploadedMs"]) > int(CREATED_MS)


def test_project_root_lists_children_only(client: Any) -> None:
    client.app = Registry(gcr=True)
    image = client.image_manifest("proj/app", b"layer")
    client.put_manifest("proj/app", "v1", image)
    client.image_manifest("proj/other/deep", b"layer")
    assert client.put_manifest("proj/other/deep", "v1", image).status == 201
    listing = client.call("GET", "/v2/proj/tags/list").json()
    assert listing == {"child": ["app", "other"], "manifest": {}, "name": "proj", "tags": []}
    assert client.call("GET", "/v2/nothing/tags/list").codes == ["NAME_UNKNOWN"]


def test_plain_flavour_has_no_extensions(populated: Any) -> None:
    listing = populated.client.call("GET", "/v2/foo/tags/list").json()
    assert set(listing) == {"name", "tags"}
