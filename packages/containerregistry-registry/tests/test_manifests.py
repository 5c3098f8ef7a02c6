"""Facts parsed from manifests once at PUT: creation time, subject, artifact type, size."""

from __future__ import annotations

import json

import pytest

from containerregistry.registry._errors import RegistryError
from containerregistry.registry._manifests import _parse_created, build_record


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2020-01-01T00:00:00Z", 1577836800000, id="utc"),
        pytest.param("2020-01-01T00:00:00.123456789Z", 1577836800123, id="go-nanoseconds"),
        pytest.param("2020-01-01T01:00:00+01:00", 1577836800000, id="offset"),
        pytest.param("0001-01-01T00:00:00Z", -62135596800000, id="go-zero-time"),
        pytest.param("yesterday", 0, id="garbage"),
        pytest.param(None, 0, id="missing"),
    ],
)
def test_parse_created(text: object, expected: int) -> None:
    assert _parse_created(text) == expected


def test_build_record_of_an_artifact() -> None:
    document = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "d", "size": 2},
        "layers": [{"mediaType": "x", "digest": "l", "size": 40}],
        "subject": {"mediaType": "x", "digest": "sha256:" + "a" * 64, "size": 9},
        "annotations": {"k": "v"},
    }
    record = build_record("sha256:x", "m", json.dumps(document).encode(), uploaded_ms=5)
    assert record.artifact_type == "application/vnd.example"
    assert record.subject == "sha256:" + "a" * 64
    assert record.annotations == {"k": "v"}
    assert record.image_size == 42


def test_build_record_artifact_type_defaults_to_config_media_type() -> None:
    document = {"config": {"mediaType": "application/vnd.c", "size": 3}, "layers": []}
    record = build_record("sha256:x", "m", json.dumps(document).encode(), uploaded_ms=0)
    assert record.artifact_type == "application/vnd.c"
    assert record.subject is None


def test_error_body_is_the_spec_json() -> None:
    error = RegistryError("BLOB_UNKNOWN", "blob x is not here", detail={"digest": "x"})
    assert error.status == 404
    assert json.loads(error.body()) == {
        "errors": [
            {"code": "BLOB_UNKNOWN", "message": "blob x is not here", "detail": {"digest": "x"}}
        ]
    }
