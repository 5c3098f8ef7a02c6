"""Every route, status and error code of the registry, one request per row."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MISSING = "sha256:" + "0" * 64
SIGNATURE_LAYER = "sha256:1a2fc26dc7ea5a2a4748b7cb2b1ef193d96ab2c99f93092f69e63075b28d1278"
SIG_TYPE = "application/vnd.example.sig"
HELLO = (
    "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"  # sha256 of b"hello"
)


@dataclasses.dataclass
class Case:
    id: str
    method: str
    path: str
    status: int
    code: str | None = None
    body: bytes | Callable[[Any], bytes] = b""
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    want_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    want_body: Callable[[Any], object] | None = None
    want_json: object = None


def _manifest(document: dict[str, Any]) -> Callable[[Any], bytes]:
    return lambda p: json.dumps(document).encode()


def _image_with(layer_digest: str, size: int = 1) -> dict[str, Any]:
    return {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/json", "digest": layer_digest, "size": size},
        "layers": [],
    }


CASES = [
    # -- the base route -----------------------------------------------------------------
    Case(
        "ping", "GET", "/v2/", 200, want_headers={"Docker-Distribution-API-Version": "registry/2.0"}
    ),
    Case("ping-no-slash", "GET", "/v2", 200),
    Case("ping-head", "HEAD", "/v2/", 200),
    Case("ping-post", "POST", "/v2/", 405, "UNSUPPORTED"),
    Case("not-a-route", "GET", "/v3/foo", 404, "NOT_FOUND"),
    Case("bad-name", "GET", "/v2/Foo/tags/list", 400, "NAME_INVALID"),
    Case("bad-name-separator", "GET", "/v2/foo--/manifests/latest", 400, "NAME_INVALID"),
    Case("name-too-long", "GET", "/v2/" + "a" * 256 + "/tags/list", 400, "NAME_INVALID"),
    # -- blobs ---------------------------------------------------------------------
    Case(
        "blob-head",
        "HEAD",
        "/v2/foo/blobs/{layer}",
        200,
        want_headers={"Content-Length": "1200", "Docker-Content-Digest": "{layer}"},
        want_body=lambda p: b"",
    ),
    Case("blob-get", "GET", "/v2/foo/blobs/{layer}", 200, want_body=lambda p: p.layer),
    Case(
        "blob-get-other-repository",
        "GET",
        "/v2/bar/blobs/{layer}",
        200,
        want_body=lambda p: p.layer,
    ),
    # The signature's layer (b"signature") was pushed to foo only.
    Case(
        "blob-get-repository-without-it",
        "GET",
        f"/v2/bar/blobs/{SIGNATURE_LAYER}",
        404,
        "BLOB_UNKNOWN",
    ),
    Case(
        "blob-range",
        "GET",
        "/v2/foo/blobs/{layer}",
        206,
        headers={"Range": "bytes=0-4"},
        want_headers={"Content-Range": "bytes 0-4/1200", "Content-Length": "5"},
        want_body=lambda p: b"layer",
    ),
    Case(
        "blob-range-open-end",
        "GET",
        "/v2/foo/blobs/{layer}",
        206,
        headers={"Range": "bytes=1195-"},
        want_headers={"Content-Range": "bytes 1195-1199/1200"},
        want_body=lambda p: p.layer[1195:],
    ),
    Case(
        "blob-range-suffix",
        "GET",
        "/v2/foo/blobs/{layer}",
        206,
        headers={"Range": "bytes=-3"},
        want_body=lambda p: p.layer[-3:],
    ),
    Case(
        "blob-range-past-end-is-clipped",
        "GET",
        "/v2/foo/blobs/{layer}",
        206,
        headers={"Range": "bytes=1190-5000"},
        want_body=lambda p: p.layer[1190:],
    ),
    Case(
        "blob-range-unsatisfiable",
        "GET",
        "/v2/foo/blobs/{layer}",
        416,
        "RANGE_INVALID",
        headers={"Range": "bytes=5000-6000"},
        want_headers={"Content-Range": "bytes */1200"},
    ),
    Case(
        "blob-range-malformed",
        "GET",
        "/v2/foo/blobs/{layer}",
        416,
        "RANGE_INVALID",
        headers={"Range": "lines=1-2"},
    ),
    Case("blob-unknown", "GET", f"/v2/foo/blobs/{MISSING}", 404, "BLOB_UNKNOWN"),
    Case("blob-head-unknown", "HEAD", f"/v2/foo/blobs/{MISSING}", 404, want_body=lambda p: b""),
    Case("blob-bad-digest", "GET", "/v2/foo/blobs/sha256:xyz", 400, "DIGEST_INVALID"),
    Case("blob-unsupported-algorithm", "GET", "/v2/foo/blobs/md5:abc", 400, "DIGEST_INVALID"),
    Case("blob-delete", "DELETE", "/v2/foo/blobs/{layer}", 202),
    Case("blob-delete-unknown", "DELETE", f"/v2/foo/blobs/{MISSING}", 404, "BLOB_UNKNOWN"),
    Case("blob-put", "PUT", "/v2/foo/blobs/{layer}", 405, "UNSUPPORTED"),
    # -- uploads ---------------------------------------------------------------------
    Case(
        "upload-start",
        "POST",
        "/v2/foo/blobs/uploads/",
        202,
        want_headers={"Range": "0-0"},
    ),
    Case("upload-start-no-slash", "POST", "/v2/foo/blobs/uploads", 202),
    Case(
        "upload-monolithic",
        "POST",
        f"/v2/foo/blobs/uploads/?digest={HELLO}",
        201,
        body=b"hello",
        want_headers={
            "Location": f"/v2/foo/blobs/{HELLO}",
        },
    ),
    Case(
        "upload-monolithic-wrong-digest",
        "POST",
        f"/v2/foo/blobs/uploads/?digest={MISSING}",
        400,
        "DIGEST_INVALID",
        body=b"hello",
    ),
    Case(
        "upload-monolithic-bad-digest",
        "POST",
        "/v2/foo/blobs/uploads/?digest=sha256:nope",
        400,
        "DIGEST_INVALID",
        body=b"hello",
    ),
    Case(
        "mount-existing",
        "POST",
        "/v2/new/blobs/uploads/?mount={layer}&from=bar",
        201,
        want_headers={"Location": "/v2/new/blobs/{layer}", "Docker-Content-Digest": "{layer}"},
    ),
    Case(
        "mount-missing-starts-upload",
        "POST",
        f"/v2/new/blobs/uploads/?mount={MISSING}&from=bar",
        202,
    ),
    Case(
        "mount-bad-digest", "POST", "/v2/new/blobs/uploads/?mount=x&from=bar", 400, "DIGEST_INVALID"
    ),
    Case(
        "upload-patch-unknown",
        "PATCH",
        "/v2/foo/blobs/uploads/nope",
        404,
        "BLOB_UPLOAD_UNKNOWN",
        body=b"x",
    ),
    Case(
        "upload-put-unknown",
        "PUT",
        f"/v2/foo/blobs/uploads/nope?digest={MISSING}",
        404,
        "BLOB_UPLOAD_UNKNOWN",
    ),
    Case("upload-status-unknown", "GET", "/v2/foo/blobs/uploads/nope", 404, "BLOB_UPLOAD_UNKNOWN"),
    Case(
        "upload-cancel-unknown", "DELETE", "/v2/foo/blobs/uploads/nope", 404, "BLOB_UPLOAD_UNKNOWN"
    ),
    Case("upload-head", "HEAD", "/v2/foo/blobs/uploads/nope", 405),
    # -- manifests -----------------------------------------------------------------
    Case(
        "manifest-get-tag",
        "GET",
        "/v2/foo/manifests/latest",
        200,
        want_headers={"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": "{image}"},
        want_body=lambda p: p.image,
    ),
    Case(
        "manifest-head-tag",
        "HEAD",
        "/v2/foo/manifests/latest",
        200,
        want_headers={"Docker-Content-Digest": "{image}"},
        want_body=lambda p: b"",
    ),
    Case(
        "manifest-get-digest", "GET", "/v2/foo/manifests/{image}", 200, want_body=lambda p: p.image
    ),
    Case(
        "manifest-get-index",
        "GET",
        "/v2/foo/manifests/multi",
        200,
        want_headers={"Content-Type": OCI_INDEX, "Docker-Content-Digest": "{index}"},
        want_body=lambda p: p.index,
    ),
    Case("manifest-unknown-tag", "GET", "/v2/foo/manifests/nope", 404, "MANIFEST_UNKNOWN"),
    Case("manifest-unknown-digest", "HEAD", f"/v2/foo/manifests/{MISSING}", 404),
    Case(
        "manifest-unknown-repository", "GET", "/v2/nope/manifests/latest", 404, "MANIFEST_UNKNOWN"
    ),
    Case("manifest-other-repository", "GET", "/v2/bar/manifests/{index}", 404, "MANIFEST_UNKNOWN"),
    Case("manifest-bad-digest", "GET", "/v2/foo/manifests/sha256:zz", 400, "DIGEST_INVALID"),
    # A reference that cannot be a tag names no manifest (the conformance suite's
    # ``.INVALID_MANIFEST_NAME``); only a PUT to it is TAG_INVALID.
    Case("manifest-bad-tag", "GET", "/v2/foo/manifests/-bad", 404, "MANIFEST_UNKNOWN"),
    Case(
        "manifest-invalid-name-head",
        "HEAD",
        "/v2/foo/manifests/.INVALID_MANIFEST_NAME",
        404,
    ),
    Case(
        "manifest-invalid-name-get",
        "GET",
        "/v2/foo/manifests/.INVALID_MANIFEST_NAME",
        404,
        "MANIFEST_UNKNOWN",
    ),
    Case(
        "manifest-invalid-name-delete",
        "DELETE",
        "/v2/foo/manifests/.INVALID_MANIFEST_NAME",
        404,
        "MANIFEST_UNKNOWN",
    ),
    Case("manifest-post", "POST", "/v2/foo/manifests/latest", 405, "UNSUPPORTED"),
    Case(
        "manifest-put-not-json",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=b"{not json",
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-not-object",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=b"[]",
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-too-large",
        "PUT",
        "/v2/foo/manifests/x",
        413,
        "MANIFEST_INVALID",
        body=b" " * (4 * 1024 * 1024 + 1),
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-missing-blob",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_BLOB_UNKNOWN",
        body=_manifest(_image_with(MISSING)),
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-bad-descriptor",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=_manifest({**_image_with(MISSING), "layers": [{"digest": "nope", "size": 1}]}),
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-no-config",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=_manifest({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []}),
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-index-null-manifests",  # Distribution takes it: ggcr's empty filter
        "PUT",
        "/v2/foo/manifests/none",
        201,
        body=_manifest({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": None}),
        headers={"Content-Type": OCI_INDEX},
    ),
    Case(
        "manifest-put-index-manifests-not-a-list",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=_manifest({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": "no"}),
        headers={"Content-Type": OCI_INDEX},
    ),
    Case(
        "manifest-put-index-missing-child",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_UNKNOWN",
        body=_manifest(
            {
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": [{"mediaType": OCI_MANIFEST, "digest": MISSING, "size": 2}],
            }
        ),
        headers={"Content-Type": OCI_INDEX},
    ),
    Case(
        "manifest-put-type-mismatch",
        "PUT",
        "/v2/foo/manifests/x",
        400,
        "MANIFEST_INVALID",
        body=lambda p: p.image,
        headers={"Content-Type": OCI_INDEX},
    ),
    Case(
        "manifest-put-digest-mismatch",
        "PUT",
        f"/v2/foo/manifests/{MISSING}",
        400,
        "DIGEST_INVALID",
        body=lambda p: p.image,
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-bad-tag",
        "PUT",
        "/v2/foo/manifests/.hidden",
        400,
        "TAG_INVALID",
        body=lambda p: p.image,
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-tag",
        "PUT",
        "/v2/foo/manifests/again",
        201,
        body=lambda p: p.image,
        headers={"Content-Type": OCI_MANIFEST},
        want_headers={
            "Docker-Content-Digest": "{image}",
            "Location": "/v2/foo/manifests/{image}",
        },
    ),
    # Without auth a manifest may use blobs another repository holds (they are
    # linked into its own); with auth they must be pushed or mounted (test_auth).
    Case(
        "manifest-put-adopts-other-repositories-blobs-without-auth",
        "PUT",
        "/v2/other/manifests/{image}",
        201,
        body=lambda p: p.image,
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-media-type-from-body",
        "PUT",
        "/v2/foo/manifests/untyped",
        201,
        body=lambda p: p.image,
    ),
    Case(
        "manifest-put-subject",
        "PUT",
        "/v2/foo/manifests/signed",
        201,
        body=lambda p: json.dumps(
            {
                **json.loads(p.image),
                "subject": {"mediaType": OCI_MANIFEST, "digest": p.image_digest, "size": 1},
            }
        ).encode(),
        headers={"Content-Type": OCI_MANIFEST},
        want_headers={"OCI-Subject": "{image}"},
    ),
    Case(
        "manifest-put-foreign-layer-need-not-exist",
        "PUT",
        "/v2/foo/manifests/windows",
        201,
        body=lambda p: json.dumps(
            {
                **json.loads(p.image),
                "layers": [
                    {
                        "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                        "digest": MISSING,
                        "size": 5,
                        "urls": ["https://example.com/layer"],
                    }
                ],
            }
        ).encode(),
        headers={"Content-Type": OCI_MANIFEST},
    ),
    Case(
        "manifest-put-schema1-is-stored-as-is",
        "PUT",
        "/v2/foo/manifests/old",
        201,
        body=b'{"schemaVersion":1,"fsLayers":[]}',
        headers={"Content-Type": "application/vnd.docker.distribution.manifest.v1+prettyjws"},
    ),
    Case("manifest-delete-digest", "DELETE", "/v2/foo/manifests/{index}", 202),
    Case("manifest-delete-tag", "DELETE", "/v2/foo/manifests/multi", 202),
    Case("manifest-delete-unknown", "DELETE", "/v2/foo/manifests/nope", 404, "MANIFEST_UNKNOWN"),
    # -- listings --------------------------------------------------------------------
    Case(
        "tags",
        "GET",
        "/v2/foo/tags/list",
        200,
        want_json={"name": "foo", "tags": ["latest", "multi"]},
    ),
    Case(
        "tags-page",
        "GET",
        "/v2/foo/tags/list?n=1",
        200,
        want_json={"name": "foo", "tags": ["latest"]},
        want_headers={"Link": '</v2/foo/tags/list?n=1&last=latest>; rel="next"'},
    ),
    Case(
        "tags-last-page",
        "GET",
        "/v2/foo/tags/list?n=1&last=latest",
        200,
        want_json={"name": "foo", "tags": ["multi"]},
    ),
    Case(
        "tags-nested",
        "GET",
        "/v2/foo/sub/tags/list",
        200,
        want_json={"name": "foo/sub", "tags": ["v1"]},
    ),
    Case("tags-unknown", "GET", "/v2/nope/tags/list", 404, "NAME_UNKNOWN"),
    Case("tags-bad-n", "GET", "/v2/foo/tags/list?n=x", 400, "PAGINATION_NUMBER_INVALID"),
    Case("tags-post", "POST", "/v2/foo/tags/list", 405, "UNSUPPORTED"),
    Case(
        "catalog", "GET", "/v2/_catalog", 200, want_json={"repositories": ["bar", "foo", "foo/sub"]}
    ),
    Case(
        "catalog-page",
        "GET",
        "/v2/_catalog?n=2",
        200,
        want_json={"repositories": ["bar", "foo"]},
        want_headers={"Link": '</v2/_catalog?n=2&last=foo>; rel="next"'},
    ),
    Case(
        "catalog-last",
        "GET",
        "/v2/_catalog?n=2&last=foo",
        200,
        want_json={"repositories": ["foo/sub"]},
    ),
    Case("catalog-empty-page", "GET", "/v2/_catalog?n=0", 200, want_json={"repositories": []}),
    Case("catalog-delete", "DELETE", "/v2/_catalog", 405, "UNSUPPORTED"),
    # -- referrers -------------------------------------------------------------------
    Case(
        "referrers",
        "GET",
        "/v2/foo/referrers/{image}",
        200,
        want_headers={"Content-Type": OCI_INDEX},
        want_json=lambda p: {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": p.signature_digest,
                    "size": p.signature_size,
                    "artifactType": SIG_TYPE,
                    "annotations": {"note": "signed"},
                }
            ],
        },
    ),
    Case(
        "referrers-filtered",
        "GET",
        f"/v2/foo/referrers/{{image}}?artifactType={SIG_TYPE}",
        200,
        want_headers={"OCI-Filters-Applied": "artifactType"},
        want_body=lambda p: 1,
    ),
    Case(
        "referrers-filtered-out",
        "GET",
        "/v2/foo/referrers/{image}?artifactType=application/other",
        200,
        want_headers={"OCI-Filters-Applied": "artifactType"},
        want_body=lambda p: 0,
    ),
    Case("referrers-none", "GET", "/v2/foo/referrers/{index}", 200, want_body=lambda p: 0),
    Case(
        "referrers-unknown-repository",
        "GET",
        "/v2/nope/referrers/{index}",
        200,
        want_body=lambda p: 0,
    ),
    Case("referrers-bad-digest", "GET", "/v2/foo/referrers/latest", 400, "DIGEST_INVALID"),
]


class _View:
    """The populated registry's facts, with the signature's size for the referrers row."""

    def __init__(self, populated: Any) -> None:
        self.__dict__.update(vars(populated))
        manifest = populated.client.call("GET", f"/v2/foo/manifests/{populated.signature_digest}")
        self.signature_size = len(manifest.body)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_route(populated: Any, case: Case) -> None:
    view = _View(populated)
    names = {"layer": view.layer_digest, "image": view.image_digest, "index": view.index_digest}
    body = case.body(view) if callable(case.body) else case.body
    result = populated.client.call(case.method, case.path.format(**names), body, case.headers)

    assert result.status == case.status, result.body
    assert result.headers["Docker-Distribution-API-Version"] == "registry/2.0"
    if case.code is not None:
        assert result.headers["Content-Type"] == "application/json"
        assert result.codes == [case.code]
        assert result.json()["errors"][0]["message"]
    for name, value in case.want_headers.items():
        assert result.headers.get(name) == value.format(**names), name
    if case.method != "HEAD":
        assert int(result.headers["Content-Length"]) == len(result.body)
    if case.want_body is not None:
        expected = case.want_body(view)
        if isinstance(expected, int):  # a count of referrers
            assert len(result.json()["manifests"]) == expected
        else:
            assert result.body == expected
    if case.want_json is not None:
        want = case.want_json(view) if callable(case.want_json) else case.want_json
        assert result.json() == want


def test_every_route_and_error_code_is_covered() -> None:
    codes = {case.code for case in CASES if case.code}
    statuses = {case.status for case in CASES}
    assert codes >= {
        "BLOB_UNKNOWN",
        "BLOB_UPLOAD_UNKNOWN",
        "DIGEST_INVALID",
        "MANIFEST_BLOB_UNKNOWN",
        "MANIFEST_INVALID",
        "MANIFEST_UNKNOWN",
        "NAME_INVALID",
        "NAME_UNKNOWN",
        "UNSUPPORTED",
    }
    assert statuses >= {200, 201, 202, 206, 400, 404, 405, 413, 416}
