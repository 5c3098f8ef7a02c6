"""Garbage collection: mark and sweep, dry run, untagged manifests; on disk and in a
bucket, from Python and as ``crane registry gc``."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from containerregistry.registry import DiskStorage, GcsStorage, Registry, Storage, collect_garbage


@pytest.fixture(params=["disk", "gcs"])
def where(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    """A disk directory or a ``gs://`` URL on the storage emulator."""
    if request.param == "gcs":
        return str(request.getfixturevalue("gcs_url"))
    return str(tmp_path / "root")


def _storage(where: str) -> Storage:
    return GcsStorage(where) if where.startswith("gs://") else DiskStorage(where)


def _setup(client: Any, where: str) -> tuple[Any, dict[str, str]]:
    storage = _storage(where)
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


def test_dry_run_removes_nothing(client: Any, where: str) -> None:
    storage, digests = _setup(client, where)
    before = _blobs(storage)
    report = collect_garbage(storage, dry_run=True)
    assert set(report.blobs) == {digests["deleted"], digests["deleted_layer"], digests["orphan"]}
    assert report.bytes_freed > 0
    assert _blobs(storage) == before


def test_sweep_removes_what_nothing_refers_to(client: Any, where: str) -> None:
    storage, digests = _setup(client, where)
    collect_garbage(storage)
    gone = {digests["deleted"], digests["deleted_layer"], digests["orphan"]}
    assert not (_blobs(storage) & gone)
    assert client.call("GET", "/v2/app/manifests/v1").status == 200
    assert client.call("GET", f"/v2/app/blobs/{digests['kept_layer']}").status == 200
    assert client.call("GET", f"/v2/app/manifests/{digests['untagged']}").status == 200
    assert client.call("GET", f"/v2/app/blobs/{digests['orphan']}").status == 404


def test_delete_untagged_keeps_index_children(client: Any, where: str) -> None:
    storage, digests = _setup(client, where)
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


def _crane_gc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "registry", "gc", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_crane_registry_gc(client: Any, where: str) -> None:
    """``crane registry gc DIR`` and ``crane registry gc gs://BUCKET/PREFIX``: a dry
    run lists what would go and removes nothing, the real one removes exactly that."""
    storage, digests = _setup(client, where)
    gone = sorted([digests["deleted"], digests["deleted_layer"], digests["orphan"]])
    before = _blobs(storage)
    dry = _crane_gc(where, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert sorted(line.split()[2] for line in dry.stdout.splitlines()) == gone
    assert dry.stderr.startswith("0 manifests, 3 blobs, would free ")
    assert _blobs(storage) == before
    done = _crane_gc(where, "--delete-untagged")
    assert done.returncode == 0, done.stderr
    assert f"app: delete manifest {digests['untagged']}" in done.stdout.splitlines()
    assert done.stderr.startswith("1 manifests, 5 blobs, freed ")
    assert _blobs(storage) == before - {*gone, digests["untagged"], digests["untagged_layer"]}
    assert client.call("GET", "/v2/app/manifests/v1").status == 200
    assert client.call("GET", f"/v2/app/blobs/{digests['kept_layer']}").status == 200
    again = _crane_gc(where)
    assert (again.returncode, again.stdout) == (0, "")


def test_crane_registry_gc_refuses_what_holds_no_registry(where: str) -> None:
    done = _crane_gc(where)
    assert done.returncode == 1
    assert "holds no registry storage" in done.stderr
    assert where in done.stderr
