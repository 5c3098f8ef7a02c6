"""Garbage collection: mark and sweep, dry run, untagged manifests."""

from __future__ import annotations

import json
from typing import Any

from containerregistry.registry import DiskStorage, Registry, collect_garbage


def _setup(client: Any, tmp_path: Any) -> tuple[Any, dict[str, str]]:
    storage = DiskStorage(tmp_path / "root")
    client.app = Registry(storage=storage)
    kept = client.image_manifest("app", b"kept layer")
    assert client.put_manifest("app", "v1", kept).status == 201
    untagged = client.image_manifest("app", b"untagged layer")
    assert client.put_manifest("app", client.digest_of(untagged), untagged).status == 201
    deleted = client.image_manifest("app", b"deleted layer")
    client.put_manifest("app", "gone", deleted)
    client.call("DELETE", f"/v2/app/manifests/{client.digest_of(deleted)}")
    orphan = client.push_blob("app", b"orphan blob")
    digests = {
        "kept": client.digest_of(kept),
        "kept_layer": client.digest_of(b"kept layer"),
        "untagged": client.digest_of(untagged),
        "untagged_layer": client.digest_of(b"untagged layer"),
        "deleted": client.digest_of(deleted),
        "deleted_layer": client.digest_of(b"deleted layer"),
        "orphan": orphan,
    }
    return storage, digests


def _blobs(storage: Any) -> set[str]:
    return set(storage.blob_digests())


def test_dry_run_removes_nothing(client: Any, tmp_path: Any) -> None:
    storage, digests = _setup(client, tmp_path)
    before = _blobs(storage)
    report = collect_garbage(storage, dry_run=True)
    assert set(report.blobs) == {digests["deleted"], digests["deleted_layer"], digests["orphan"]}
    assert report.bytes_freed > 0
    assert _blobs(storage) == before


def test_sweep_removes_what_nothing_refers_to(client: Any, tmp_path: Any) -> None:
    storage, digests = _setup(client, tmp_path)
    collect_garbage(storage)
    gone = {digests["deleted"], digests["deleted_layer"], digests["orphan"]}
    assert not (_blobs(storage) & gone)
    assert client.call("GET", "/v2/app/manifests/v1").status == 200
    assert client.call("GET", f"/v2/app/blobs/{digests['kept_layer']}").status == 200
    assert client.call("GET", f"/v2/app/manifests/{digests['untagged']}").status == 200
    assert client.call("GET", f"/v2/app/blobs/{digests['orphan']}").status == 404


def test_delete_untagged_keeps_index_children(client: Any, tmp_path: Any) -> None:
    storage, digests = _setup(client, tmp_path)
    child = client.image_manifest("app", b"child layer")
    client.put_manifest("app", client.digest_of(child), child)
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": client.OCI_INDEX,
            "manifests": [
                {
                    "mediaType": client.OCI_MANIFEST,
                    "digest": client.digest_of(child),
                    "size": len(child),
                }
            ],
        }
    ).encode()
    assert client.put_manifest("app", "multi", index, client.OCI_INDEX).status == 201
    report = collect_garbage(storage, delete_untagged=True)
    assert report.manifests == [("app", digests["untagged"])]
    assert client.call("GET", f"/v2/app/manifests/{digests['untagged']}").status == 404
    assert client.call("GET", f"/v2/app/blobs/{digests['untagged_layer']}").status == 404
    assert client.call("GET", f"/v2/app/manifests/{client.digest_of(child)}").status == 200
    assert client.call("GET", "/v2/app/manifests/multi").status == 200
