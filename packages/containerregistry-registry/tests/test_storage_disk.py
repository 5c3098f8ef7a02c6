"""Disk storage: survives a restart, writes crash-safely, and keeps no failed uploads."""

from __future__ import annotations

import json
from typing import Any

from containerregistry.registry import DiskStorage, Registry


def _restart(client: Any, root: Any) -> None:
    client.app = Registry(storage=DiskStorage(root))


def test_everything_survives_a_restart(populated_disk: Any) -> None:
    client, root, populated = populated_disk
    _restart(client, root)

    got = client.call("GET", "/v2/foo/manifests/latest")
    assert got.body == populated.image
    assert got.headers["Content-Type"] == client.OCI_MANIFEST
    assert client.call("GET", "/v2/foo/manifests/multi").headers["Content-Type"] == (
        client.OCI_INDEX
    )
    assert client.call("GET", f"/v2/foo/blobs/{populated.layer_digest}").body == populated.layer
    assert client.call("GET", "/v2/foo/tags/list").json()["tags"] == ["latest", "multi"]
    assert client.call("GET", "/v2/_catalog").json()["repositories"] == ["bar", "foo", "foo/sub"]
    referrers = client.call("GET", f"/v2/foo/referrers/{populated.image_digest}").json()
    assert [d["digest"] for d in referrers["manifests"]] == [populated.signature_digest]


def test_deletes_survive_a_restart(populated_disk: Any) -> None:
    client, root, populated = populated_disk
    client.call("DELETE", "/v2/foo/manifests/multi")
    bar = client.call("HEAD", "/v2/bar/manifests/v1").headers["Docker-Content-Digest"]
    client.call("DELETE", f"/v2/bar/manifests/{bar}")
    client.call("DELETE", f"/v2/foo/blobs/{populated.layer_digest}")
    _restart(client, root)
    assert client.call("GET", "/v2/foo/tags/list").json()["tags"] == ["latest"]
    assert client.call("GET", "/v2/bar/tags/list").status == 404
    assert client.call("HEAD", f"/v2/foo/blobs/{populated.layer_digest}").status == 404


def test_layout_on_disk(populated_disk: Any) -> None:
    _, root, populated = populated_disk
    hex_part = populated.image_digest.split(":")[1]
    manifest = root / "repositories" / "foo" / "_manifests" / "sha256" / hex_part
    assert manifest.read_bytes() == populated.image
    meta = json.loads((manifest.parent / (hex_part + ".meta")).read_text())
    assert meta["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert (root / "repositories" / "foo" / "_tags" / "latest").read_text() == (
        populated.image_digest
    )
    layer = root / "blobs" / "sha256" / populated.layer_digest.split(":")[1]
    assert layer.read_bytes() == populated.layer
    assert not list(root.rglob(".tmp-*"))


def test_half_written_state_is_ignored_at_start(populated_disk: Any) -> None:
    client, root, populated = populated_disk
    # A crash after the manifest bytes but before its meta, and an upload in progress.
    orphan = root / "repositories" / "foo" / "_manifests" / "sha256" / ("3" * 64)
    orphan.write_bytes(b"{}")
    (root / "uploads" / "upload-crashed").write_bytes(b"partial")
    _restart(client, root)
    assert client.call("HEAD", f"/v2/foo/manifests/sha256:{'3' * 64}").status == 404
    assert list((root / "uploads").iterdir()) == []
    assert client.call("GET", "/v2/foo/manifests/latest").body == populated.image
