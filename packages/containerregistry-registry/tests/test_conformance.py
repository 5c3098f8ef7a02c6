"""The OCI distribution-spec v1.1.1 requirements, one test each, on every storage.

The tests follow the conformance suite's four workflows (pull, push, content
discovery, content management) and its requests; where the suite accepts several
answers, the test pins the one this registry gives, so a change shows up here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

#: The error codes the spec lists (plus distribution's TAG_INVALID, which the suite
#: accepts through its error-code check).
SPEC_CODES = {
    "BLOB_UNKNOWN",
    "BLOB_UPLOAD_INVALID",
    "BLOB_UPLOAD_UNKNOWN",
    "DIGEST_INVALID",
    "MANIFEST_BLOB_UNKNOWN",
    "MANIFEST_INVALID",
    "MANIFEST_UNKNOWN",
    "NAME_INVALID",
    "NAME_UNKNOWN",
    "SIZE_INVALID",
    "UNAUTHORIZED",
    "DENIED",
    "UNSUPPORTED",
    "TOOMANYREQUESTS",
}
DUMMY = "sha256:" + "0" * 64
NAME = "conformance/repo"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
Client = Any
OTHER = "conformance/other"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


CONFIG = json.dumps({"architecture": "amd64", "os": "linux"}).encode()
LAYER = b"conformance layer " * 300


def _manifest(client: Client, repository: str = NAME, **extra: Any) -> bytes:
    config = client.push_blob(repository, CONFIG)
    layer = client.push_blob(repository, LAYER)
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config, "size": len(CONFIG)},
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer, "size": 5400}
        ],
        **extra,
    }
    return json.dumps(document).encode()


def _tagged(client: Client, tag: str = "tagtest0") -> bytes:
    data = _manifest(client)
    assert client.put_manifest(NAME, tag, data).status == 201
    return data


# -- pull -------------------------------------------------------------------------------


def test_pull_blob_head_and_get(oci: Client) -> None:
    config = oci.push_blob(NAME, CONFIG)
    assert oci.call("HEAD", f"/v2/{NAME}/blobs/{DUMMY}").status == 404
    assert oci.call("GET", f"/v2/{NAME}/blobs/{DUMMY}").status == 404
    head = oci.call("HEAD", f"/v2/{NAME}/blobs/{config}")
    assert (head.status, head.headers["Docker-Content-Digest"], head.body) == (200, config, b"")
    assert head.headers["Content-Length"] == str(len(CONFIG))
    got = oci.call("GET", f"/v2/{NAME}/blobs/{config}")
    assert (got.status, got.body) == (200, CONFIG)


@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_pull_manifest_that_names_nothing_is_404(oci: Client, method: str) -> None:
    _tagged(oci)
    for reference in (".INVALID_MANIFEST_NAME", "nosuchtag", DUMMY):
        got = oci.call(method, f"/v2/{NAME}/manifests/{reference}")
        assert got.status == 404, reference
        if method == "GET":
            assert got.codes == ["MANIFEST_UNKNOWN"]


@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_pull_manifest_by_tag_and_digest(oci: Client, method: str) -> None:
    data = _tagged(oci)
    for reference in ("tagtest0", digest_of(data)):
        got = oci.call(
            method, f"/v2/{NAME}/manifests/{reference}", headers={"Accept": OCI_MANIFEST}
        )
        assert got.status == 200
        assert got.headers["Docker-Content-Digest"] == digest_of(data)
        assert got.headers["Content-Type"] == OCI_MANIFEST
        assert got.headers["Content-Length"] == str(len(data))
        assert got.body == (data if method == "GET" else b"")


def test_pull_error_body_is_oci_json(oci: Client) -> None:
    got = oci.put_manifest(NAME, "sha256:totallywrong", b'{"invalid": true}')
    assert got.status == 400
    assert got.codes
    assert set(got.codes) <= SPEC_CODES


# -- push -------------------------------------------------------------------------------


def test_push_streamed_patch_then_put(oci: Client) -> None:
    started = oci.call("POST", f"/v2/{NAME}/blobs/uploads/")
    assert started.status == 202
    assert started.headers["Location"]
    patched = oci.call(
        "PATCH", started.headers["Location"], LAYER, {"Content-Type": "application/octet-stream"}
    )
    assert patched.status == 202
    assert patched.headers["Range"] == f"0-{len(LAYER) - 1}"
    done = oci.call("PUT", f"{patched.headers['Location']}?digest={digest_of(LAYER)}")
    assert done.status == 201
    assert done.headers["Location"] == f"/v2/{NAME}/blobs/{digest_of(LAYER)}"
    assert oci.call("GET", done.headers["Location"]).body == LAYER


def test_push_monolithic_post_with_digest(oci: Client) -> None:
    got = oci.call("POST", f"/v2/{NAME}/blobs/uploads/?digest={digest_of(CONFIG)}", CONFIG)
    assert got.status == 201
    assert got.headers["Location"]
    assert oci.call("GET", f"/v2/{NAME}/blobs/{digest_of(CONFIG)}").body == CONFIG


def test_push_monolithic_post_then_put(oci: Client) -> None:
    started = oci.call("POST", f"/v2/{NAME}/blobs/uploads/")
    assert started.status == 202
    done = oci.call("PUT", f"{started.headers['Location']}?digest={digest_of(CONFIG)}", CONFIG)
    assert done.status == 201
    assert done.headers["Location"]
    assert oci.call("GET", f"/v2/{NAME}/blobs/{digest_of(CONFIG)}").status == 200


def test_push_chunked(oci: Client) -> None:
    first, second = LAYER[:1000], LAYER[1000:]
    out_of_order = oci.call("POST", f"/v2/{NAME}/blobs/uploads/", headers={"Content-Length": "0"})
    got = oci.call(
        "PATCH",
        out_of_order.headers["Location"],
        second,
        {"Content-Range": f"1000-{len(LAYER) - 1}"},
    )
    assert got.status == 416
    started = oci.call("POST", f"/v2/{NAME}/blobs/uploads/")
    location = started.headers["Location"]
    got = oci.call("PATCH", location, first, {"Content-Range": "0-999"})
    assert (got.status, got.headers["Range"]) == (202, "0-999")
    status = oci.call("GET", got.headers["Location"])
    assert (status.status, status.headers["Range"]) == (204, "0-999")
    assert status.headers["Location"]
    done = oci.call(
        "PUT",
        f"{got.headers['Location']}?digest={digest_of(LAYER)}",
        second,
        {"Content-Range": f"1000-{len(LAYER) - 1}"},
    )
    assert done.status == 201
    assert done.headers["Location"]
    assert oci.call("GET", f"/v2/{NAME}/blobs/{digest_of(LAYER)}").body == LAYER


def test_push_cross_repository_mount(oci: Client) -> None:
    digest = oci.push_blob(OTHER, LAYER)
    mounted = oci.call("POST", f"/v2/{NAME}/blobs/uploads/?mount={digest}&from={OTHER}")
    assert mounted.status == 201
    assert mounted.headers["Location"] == f"/v2/{NAME}/blobs/{digest}"
    assert oci.call("GET", f"/v2/{NAME}/blobs/{digest}").body == LAYER
    # A blob nobody has: an upload session instead.
    missing = oci.call("POST", f"/v2/{NAME}/blobs/uploads/?mount={DUMMY}&from={OTHER}")
    assert missing.status == 202
    assert "/blobs/uploads/" in missing.headers["Location"]
    # Without ``from``: the spec allows 201 (automatic discovery) or 202.
    automatic = oci.call("POST", f"/v2/{NAME}/blobs/uploads/?mount={digest}")
    assert automatic.status in (201, 202)


def test_push_manifest_under_several_tags(oci: Client) -> None:
    data = _manifest(oci)
    assert oci.call("GET", f"/v2/{NAME}/manifests/.INVALID_MANIFEST_NAME").status == 404
    for number in range(4):
        got = oci.put_manifest(NAME, f"test{number}", data)
        assert got.status == 201
        assert got.headers["Location"] == f"/v2/{NAME}/manifests/{digest_of(data)}"
        assert got.headers["Docker-Content-Digest"] == digest_of(data)
    assert oci.call("GET", f"/v2/{NAME}/manifests/{digest_of(data)}").body == data


def test_push_manifest_by_digest(oci: Client) -> None:
    data = _manifest(oci)
    got = oci.put_manifest(NAME, digest_of(data), data)
    assert got.status == 201
    assert oci.call("GET", f"/v2/{NAME}/manifests/{digest_of(data)}").body == data


def test_push_manifest_with_no_layers(oci: Client) -> None:
    empty = b"{}"
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": "application/vnd.example.empty",
        "config": {
            "mediaType": "application/vnd.oci.empty.v1+json",
            "digest": oci.push_blob(NAME, empty),
            "size": 2,
        },
        "layers": [],
    }
    data = json.dumps(document).encode()
    assert oci.put_manifest(NAME, "nolayers", data).status == 201
    assert oci.call("GET", f"/v2/{NAME}/manifests/nolayers").body == data


def test_push_manifest_with_subject_answers_oci_subject(oci: Client) -> None:
    subject = _tagged(oci)
    descriptor = {"mediaType": OCI_MANIFEST, "digest": digest_of(subject), "size": len(subject)}
    referrer = _manifest(oci, subject=descriptor, artifactType="application/vnd.example.sig")
    got = oci.put_manifest(NAME, digest_of(referrer), referrer)
    assert got.status == 201
    assert got.headers["OCI-Subject"] == digest_of(subject)


def test_push_manifest_to_malformed_tag_is_tag_invalid(oci: Client) -> None:
    data = _manifest(oci)
    for tag in (".INVALID_MANIFEST_NAME", "-dash", "x" * 129):
        got = oci.put_manifest(NAME, tag, data)
        assert (got.status, got.codes) == (400, ["TAG_INVALID"]), tag
    assert oci.call("GET", f"/v2/{NAME}/tags/list").status == 404


def test_push_manifest_with_unknown_blob_is_refused(oci: Client) -> None:
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": DUMMY, "size": 1},
        "layers": [],
    }
    got = oci.put_manifest(NAME, "broken", json.dumps(document).encode())
    assert (got.status, got.codes) == (400, ["MANIFEST_BLOB_UNKNOWN"])


# -- content discovery ------------------------------------------------------------------


def test_discovery_tags_list_and_pagination(oci: Client) -> None:
    data = _manifest(oci)
    tags = [f"test{n}" for n in range(4)]
    for tag in tags:
        oci.put_manifest(NAME, tag, data)
    listed = oci.call("GET", f"/v2/{NAME}/tags/list")
    assert listed.status == 200
    assert listed.json() == {"name": NAME, "tags": tags}
    page = oci.call("GET", f"/v2/{NAME}/tags/list?n=2")
    assert page.json()["tags"] == tags[:2]
    assert page.headers["Link"] == f'</v2/{NAME}/tags/list?n=2&last=test1>; rel="next"'
    after = oci.call("GET", f"/v2/{NAME}/tags/list?n=4&last=test1")
    assert after.json()["tags"] == tags[2:]
    assert "Link" not in after.headers
    assert oci.call("GET", f"/v2/{NAME}/tags/list?n=0").json()["tags"] == []


def test_discovery_referrers(oci: Client) -> None:
    subject = _tagged(oci)
    descriptor = {"mediaType": OCI_MANIFEST, "digest": digest_of(subject), "size": len(subject)}
    first = _manifest(oci, subject=descriptor, artifactType="application/vnd.example.sig")
    second = _manifest(
        oci,
        subject=descriptor,
        artifactType="application/vnd.example.sbom",
        annotations={"org.example": "yes"},
    )
    for referrer in (first, second):
        assert oci.put_manifest(NAME, digest_of(referrer), referrer).status == 201
    got = oci.call("GET", f"/v2/{NAME}/referrers/{digest_of(subject)}")
    assert got.status == 200
    assert got.headers["Content-Type"] == OCI_INDEX
    index = got.json()
    assert index["schemaVersion"] == 2
    assert index["mediaType"] == OCI_INDEX
    found = {d["digest"]: d for d in index["manifests"]}
    assert set(found) == {digest_of(first), digest_of(second)}
    assert found[digest_of(second)]["annotations"] == {"org.example": "yes"}
    assert found[digest_of(first)]["artifactType"] == "application/vnd.example.sig"
    assert found[digest_of(first)]["size"] == len(first)
    filtered = oci.call(
        "GET",
        f"/v2/{NAME}/referrers/{digest_of(subject)}?artifactType=application/vnd.example.sbom",
    )
    assert filtered.headers["OCI-Filters-Applied"] == "artifactType"
    assert [d["digest"] for d in filtered.json()["manifests"]] == [digest_of(second)]
    nothing = oci.call("GET", f"/v2/{NAME}/referrers/{DUMMY}")
    assert (nothing.status, nothing.json()["manifests"]) == (200, [])


def test_discovery_referrers_of_a_subject_not_pushed(oci: Client) -> None:
    """A referrer may be pushed before its subject (the spec allows it)."""
    descriptor = {"mediaType": OCI_MANIFEST, "digest": DUMMY, "size": 10}
    referrer = _manifest(oci, subject=descriptor, artifactType="application/vnd.example.sig")
    got = oci.put_manifest(NAME, digest_of(referrer), referrer)
    assert (got.status, got.headers["OCI-Subject"]) == (201, DUMMY)
    listed = oci.call("GET", f"/v2/{NAME}/referrers/{DUMMY}").json()["manifests"]
    assert [d["digest"] for d in listed] == [digest_of(referrer)]


# -- content management -----------------------------------------------------------------


def test_management_delete_tag(oci: Client) -> None:
    data = _tagged(oci, "deleteme")
    oci.put_manifest(NAME, "keep", data)
    assert oci.call("DELETE", f"/v2/{NAME}/manifests/deleteme").status == 202
    assert oci.call("GET", f"/v2/{NAME}/manifests/deleteme").status == 404
    assert oci.call("GET", f"/v2/{NAME}/manifests/{digest_of(data)}").status == 200
    assert oci.call("GET", f"/v2/{NAME}/tags/list").json()["tags"] == ["keep"]


def test_management_delete_manifest(oci: Client) -> None:
    data = _tagged(oci)
    assert oci.call("DELETE", f"/v2/{NAME}/manifests/{digest_of(data)}").status == 202
    assert oci.call("GET", f"/v2/{NAME}/manifests/{digest_of(data)}").status == 404
    assert oci.call("GET", f"/v2/{NAME}/manifests/tagtest0").status == 404
    again = oci.call("DELETE", f"/v2/{NAME}/manifests/{digest_of(data)}")
    assert (again.status, again.codes) == (404, ["MANIFEST_UNKNOWN"])


def test_management_delete_blobs(oci: Client) -> None:
    _tagged(oci)
    for blob in (CONFIG, LAYER):
        assert oci.call("DELETE", f"/v2/{NAME}/blobs/{digest_of(blob)}").status == 202
        assert oci.call("GET", f"/v2/{NAME}/blobs/{digest_of(blob)}").status == 404
    gone = oci.call("DELETE", f"/v2/{NAME}/blobs/{digest_of(LAYER)}")
    assert (gone.status, gone.codes) == (404, ["BLOB_UNKNOWN"])
