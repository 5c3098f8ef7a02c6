"""Disk storage: Distribution's layout, survives a restart, migrates the earlier layout."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from containerregistry.registry import DiskStorage, Registry

V2 = "docker/registry/v2"


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
    # Deleting a blob from one repository leaves it in the others.
    assert client.call("HEAD", f"/v2/foo/sub/blobs/{populated.layer_digest}").status == 200


def test_layout_on_disk(populated_disk: Any) -> None:
    _, root, populated = populated_disk
    v2 = root / V2
    image_hex = populated.image_digest.split(":")[1]
    layer_hex = populated.layer_digest.split(":")[1]
    assert (v2 / "blobs/sha256" / image_hex[:2] / image_hex / "data").read_bytes() == (
        populated.image
    )
    assert (v2 / "blobs/sha256" / layer_hex[:2] / layer_hex / "data").read_bytes() == (
        populated.layer
    )
    foo = v2 / "repositories/foo"
    link = foo / "_layers/sha256" / layer_hex / "link"
    assert link.read_text() == populated.layer_digest
    revision = foo / "_manifests/revisions/sha256" / image_hex
    assert (revision / "link").read_text() == populated.image_digest
    assert not (revision / "mediatype").exists()  # the content implies it
    tag = foo / "_manifests/tags/latest"
    assert (tag / "current/link").read_text() == populated.image_digest
    assert (tag / "index/sha256" / image_hex / "link").read_text() == populated.image_digest
    assert not list(root.rglob(".tmp-*"))


def test_a_content_type_the_content_does_not_imply_is_kept(populated_disk: Any) -> None:
    client, root, _ = populated_disk
    custom = "application/vnd.example.custom+json"
    put = client.put_manifest("foo", "custom", b'{"schemaVersion": 2, "manifests": []}', custom)
    assert put.status == 201
    _restart(client, root)
    assert client.call("HEAD", "/v2/foo/manifests/custom").headers["Content-Type"] == custom


def test_an_upload_survives_a_restart(populated_disk: Any) -> None:
    client, root, _ = populated_disk
    data = b"resumed " * 1000
    started = client.call("POST", "/v2/foo/blobs/uploads/")
    client.call("PATCH", started.headers["Location"], data[:3000], {"Content-Range": "0-2999"})
    _restart(client, root)
    status = client.call("GET", started.headers["Location"])
    assert (status.status, status.headers["Range"]) == (204, "0-2999")
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    done = client.call(
        "PUT",
        f"{started.headers['Location']}?digest={digest}",
        data[3000:],
        {"Content-Range": f"3000-{len(data) - 1}"},
    )
    assert done.status == 201
    assert client.call("GET", f"/v2/foo/blobs/{digest}").body == data


def _old_layout(root: Any) -> dict[str, str]:
    """A directory as this package wrote it before it used Distribution's layout."""
    config = b'{"architecture":"amd64","os":"linux"}'
    layer = b"old layer"
    digests = {}
    for name, data in (("config", config), ("layer", layer)):
        hex_part = hashlib.sha256(data).hexdigest()
        (root / "blobs/sha256").mkdir(parents=True, exist_ok=True)
        (root / "blobs/sha256" / hex_part).write_bytes(data)
        digests[name] = "sha256:" + hex_part
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": digests["config"],
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.oci.image.layer.v1.tar",
                    "digest": digests["layer"],
                    "size": len(layer),
                }
            ],
        }
    ).encode()
    hex_part = hashlib.sha256(manifest).hexdigest()
    manifests = root / "repositories/team/app/_manifests/sha256"
    manifests.mkdir(parents=True)
    (manifests / hex_part).write_bytes(manifest)
    meta = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "uploadedMs": 1}
    (manifests / (hex_part + ".meta")).write_text(json.dumps(meta))
    # A manifest whose meta a crash never wrote: it was not committed.
    (manifests / ("3" * 64)).write_bytes(b"{}")
    (root / "repositories/team/app/_tags").mkdir()
    (root / "repositories/team/app/_tags/v1").write_text("sha256:" + hex_part)
    (root / "uploads").mkdir()
    (root / "uploads/upload-crashed").write_bytes(b"partial")
    digests["manifest"] = "sha256:" + hex_part
    return digests


def test_the_earlier_layout_is_migrated_at_start(client: Any, tmp_path: Any) -> None:
    root = tmp_path / "registry"
    digests = _old_layout(root)
    _restart(client, root)
    got = client.call("GET", "/v2/team/app/manifests/v1")
    assert got.headers["Docker-Content-Digest"] == digests["manifest"]
    assert client.call("GET", f"/v2/team/app/blobs/{digests['layer']}").body == b"old layer"
    assert client.call("GET", "/v2/_catalog").json()["repositories"] == ["team/app"]
    assert client.call("HEAD", f"/v2/team/app/manifests/sha256:{'3' * 64}").status == 404
    assert sorted(p.name for p in root.iterdir()) == ["docker"]
    _restart(client, root)  # a second start finds nothing to migrate
    assert client.call("GET", "/v2/team/app/tags/list").json()["tags"] == ["v1"]


def test_a_migration_cut_short_is_finished_at_the_next_start(client: Any, tmp_path: Any) -> None:
    root = tmp_path / "registry"
    digests = _old_layout(root)
    # A crash after some blobs were linked into the new layout, before the marker.
    layer_hex = digests["layer"].split(":")[1]
    early = root / V2 / "blobs/sha256" / layer_hex[:2] / layer_hex / "data"
    early.parent.mkdir(parents=True)
    early.write_bytes(b"old layer")
    _restart(client, root)
    assert client.call("GET", "/v2/team/app/manifests/v1").status == 200
    assert client.call("GET", f"/v2/team/app/blobs/{digests['config']}").status == 200
    assert not (root / "blobs").exists()


def test_referrers_and_catalog_follow_another_instance(client: Any, tmp_path: Any) -> None:
    """Two registries on one directory: what one pushes or deletes, the other's
    referrers and catalog show at once, whatever it remembered of earlier answers."""
    first = client
    first.app = Registry(storage=DiskStorage(tmp_path))
    second = type(client)(Registry(storage=DiskStorage(tmp_path)))
    subject_bytes = first.image_manifest("app", b"layer")
    subject = first.digest_of(subject_bytes)
    assert first.put_manifest("app", "v1", subject_bytes).status == 201

    def referrer(name: str) -> str:
        data = first.image_manifest(
            "app",
            b"sbom",
            artifactType="application/vnd.example.sbom",
            subject={"mediaType": first.OCI_MANIFEST, "digest": subject, "size": 1},
            annotations={"name": name},
        )
        assert second.put_manifest("app", first.digest_of(data), data).status == 201
        return first.digest_of(data)

    def listed() -> list[str]:
        found = first.call("GET", f"/v2/app/referrers/{subject}").json()["manifests"]
        return sorted(descriptor["digest"] for descriptor in found)

    one = referrer("one")
    assert listed() == [one]
    two = referrer("two")
    assert listed() == sorted([one, two])
    assert second.call("DELETE", f"/v2/app/manifests/{one}").status == 202
    assert listed() == [two]
    assert first.call("GET", "/v2/_catalog").json() == {"repositories": ["app"]}
    for digest in (subject, two):
        assert second.call("DELETE", f"/v2/app/manifests/{digest}").status == 202
    assert first.call("GET", "/v2/_catalog").json() == {"repositories": []}
