"""Descriptor, Manifest and IndexManifest: Go-compatible JSON both ways."""

from __future__ import annotations

import hashlib

import pytest

from containerregistry import types
from containerregistry.errors import ContainerRegistryError
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    IndexManifest,
    Manifest,
    ManifestParseError,
    Platform,
)

DIGEST_A = Hash.parse("sha256:" + "a" * 64)
DIGEST_B = Hash.parse("sha256:" + "b" * 64)
EMPTY_CONFIG_DIGEST = "sha256:5b943e2b943f6c81dbbd4e2eca5121f4fcc39139e3d1219d6d89bd925b77d9fe"

#: Written as ggcr writes them: struct field order, sorted maps, escaped <>&.
MANIFEST_DOCUMENTS = [
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":115,'
        b'"digest":"sha256:' + b"a" * 64 + b'"},"layers":[{"mediaType":'
        b'"application/vnd.oci.image.layer.v1.tar+gzip","size":39,"digest":"sha256:'
        + b"b"
        * 64
        + b'","annotations":{"a":"1","b":"\\u003cx\\u003e"}}],'
        b'"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z",'
        b'"z":"\xc3\xa9"},"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"size":7,"digest":"sha256:' + b"a" * 64 + b'"},"artifactType":"application/x.sig"}',
        id="oci-with-subject",
    ),
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":115,'
        b'"digest":"' + EMPTY_CONFIG_DIGEST.encode() + b'"},"layers":[]}',
        id="docker-empty-image",
    ),
    pytest.param(
        b'{"schemaVersion":2,"config":{"mediaType":"","size":0,"digest":"sha256:'
        + b"a" * 64
        + b'"},"layers":null}',
        id="nil-layers",
    ),
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1,'
        b'"digest":"sha256:' + b"a" * 64 + b'"},"layers":[{"mediaType":'
        b'"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","size":2,'
        b'"digest":"sha256:' + b"b" * 64 + b'","urls":["https://example.com/a?b=c\\u0026d"]}]}',
        id="foreign-layer-urls",
    ),
]

INDEX_DOCUMENTS = [
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
        id="empty-oci-index",
    ),
    pytest.param(b'{"schemaVersion":2,"manifests":null}', id="nil-manifests"),
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2'
        b'+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"size":528,"digest":"sha256:' + b"a" * 64 + b'","platform":{"architecture":"arm64",'
        b'"os":"linux","variant":"v8"}},{"mediaType":'
        b'"application/vnd.docker.distribution.manifest.v2+json","size":1,"digest":"sha256:'
        + b"b"
        * 64
        + b'","platform":{"architecture":"amd64","os":"windows","os.version":"10.0.17763.1879",'
        b'"os.features":["win32k"]}}],"annotations":{"k":"v"}}',
        id="docker-list-platforms",
    ),
    pytest.param(
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",'
        b'"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":3,'
        b'"digest":"sha256:' + b"a" * 64 + b'","data":"e30=","annotations":'
        b'{"org.opencontainers.image.ref.name":"v1"},"artifactType":"application/x.y"}],'
        b'"subject":{"mediaType":"m","size":1,"digest":"sha256:' + b"b" * 64 + b'"},'
        b'"artifactType":"application/x.index"}',
        id="oci-data-artifact",
    ),
]


@pytest.mark.parametrize("document", MANIFEST_DOCUMENTS)
def test_manifest_round_trips_go_bytes(document: bytes) -> None:
    assert Manifest.from_json(document).to_json() == document


@pytest.mark.parametrize("document", INDEX_DOCUMENTS)
def test_index_round_trips_go_bytes(document: bytes) -> None:
    assert IndexManifest.from_json(document).to_json() == document


def test_empty_oci_index_vector() -> None:
    index = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=())
    data = index.to_json()
    assert data == (
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
    )
    assert hashlib.sha256(data).hexdigest().startswith("dff9de10")


def test_empty_image_manifest_vector() -> None:
    config = ConfigFile().to_json()
    manifest = Manifest(
        media_type=types.DOCKER_MANIFEST_SCHEMA2,
        config=Descriptor(
            media_type=types.DOCKER_CONFIG_JSON, size=len(config), digest=Hash.of(config)
        ),
        layers=(),
    )
    assert str(manifest.config.digest) == EMPTY_CONFIG_DIGEST
    assert hashlib.sha256(manifest.to_json()).hexdigest().startswith("73211227")


def test_descriptor_field_order_and_omitempty() -> None:
    descriptor = Descriptor(
        media_type=types.OCI_MANIFEST_SCHEMA1,
        size=10,
        digest=DIGEST_A,
        data=b"{}",
        urls=["u"],
        annotations={"b": "2", "a": "1"},
        platform=Platform(os="linux", architecture="amd64"),
        artifact_type="x",
    )
    assert descriptor.to_json() == (
        b'{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":10,"digest":"sha256:'
        + b"a" * 64
        + b'","data":"e30=","urls":["u"],"annotations":{"a":"1","b":"2"},'
        b'"platform":{"architecture":"amd64","os":"linux"},"artifactType":"x"}'
    )
    assert Descriptor.from_json(descriptor.to_json()) == descriptor
    minimal = Descriptor(media_type="", size=0, digest=DIGEST_B)
    assert minimal.to_json() == b'{"mediaType":"","size":0,"digest":"sha256:' + b"b" * 64 + b'"}'


def test_unknown_fields_are_dropped() -> None:
    document = (
        b'{"schemaVersion":2,"extra":{"deep":[1,2]},"config":{"mediaType":"m","size":1,'
        b'"digest":"sha256:' + b"a" * 64 + b'","bogus":true},"layers":[]}'
    )
    assert Manifest.from_json(document).to_json() == (
        b'{"schemaVersion":2,"config":{"mediaType":"m","size":1,"digest":"sha256:'
        + b"a" * 64
        + b'"},"layers":[]}'
    )


def test_field_names_match_case_insensitively_like_go() -> None:
    parsed = Manifest.from_json(
        b'{"SchemaVersion":2,"Config":{"MediaType":"m","Size":1,"Digest":"sha256:'
        + b"a" * 64
        + b'"},"LAYERS":[]}'
    )
    assert parsed.schema_version == 2
    assert parsed.config.media_type == "m"
    assert parsed.layers == ()


def test_trailing_data_after_the_document_is_ignored_like_go_decoder() -> None:
    document = b'{"schemaVersion":2,"manifests":[]}\n{"more":1}'
    assert IndexManifest.from_json(document).manifests == ()


def test_str_input_and_lists_are_accepted() -> None:
    manifest = Manifest(config=Descriptor(media_type="m", size=1, digest=DIGEST_A), layers=[])
    assert manifest.layers == ()
    assert Manifest.from_json(manifest.to_json().decode()) == manifest


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(b"", "the document is empty", id="empty"),
        pytest.param(b"{", "invalid JSON", id="truncated"),
        pytest.param(b"[]", "want a JSON object, got array", id="array"),
        pytest.param(b'{"schemaVersion":2}', "field config: missing config", id="no-config"),
        pytest.param(
            b'{"schemaVersion":"2","config":{}}', "field schemaVersion: want an integer", id="sv"
        ),
        pytest.param(b'{"schemaVersion":2.0,"config":{}}', "want an integer", id="float"),
        pytest.param(
            b'{"config":{"mediaType":"m","size":1}}', "field config.digest: missing", id="digest"
        ),
        pytest.param(
            b'{"config":{"digest":"sha256:abc"}}', "field config.digest: invalid sha256", id="hex"
        ),
        pytest.param(
            b'{"config":{"digest":"sha256:' + b"a" * 64 + b'"},"layers":[{"size":-1,"digest":5}]}',
            "field layers[0].digest: want a digest string, got number 5",
            id="layer-digest-type",
        ),
        pytest.param(
            b'{"config":{"digest":"sha256:' + b"a" * 64 + b'","size":1e3}}',
            "field config.size",
            id="exponent-size",
        ),
        pytest.param(
            b'{"config":{"digest":"sha256:' + b"a" * 64 + b'","size":99999999999999999999}}',
            "overflows a 64-bit integer",
            id="overflow",
        ),
        pytest.param(
            b'{"config":{"digest":"sha256:' + b"a" * 64 + b'","data":"!!"}}',
            "field config.data: invalid base64",
            id="base64",
        ),
        pytest.param(b'{"schemaVersion":NaN}', "invalid JSON", id="nan"),
        pytest.param(
            b'{"config":{"digest":"sha256:' + b"a" * 64 + b'"},"annotations":{"a":1}}',
            "field annotations['a']: want a string",
            id="annotation-value",
        ),
    ],
)
def test_manifest_parse_errors_name_the_field(document: bytes, message: str) -> None:
    with pytest.raises(ManifestParseError) as info:
        Manifest.from_json(document)
    assert "cannot parse image manifest" in str(info.value)
    assert message in str(info.value)
    assert isinstance(info.value, ContainerRegistryError)


def test_index_parse_error_names_child() -> None:
    with pytest.raises(ManifestParseError, match=r"index manifest: field manifests\[1\]"):
        IndexManifest.from_json(b'{"manifests":[{"digest":"sha256:' + b"a" * 64 + b'"},"nope"]}')


def test_nulls_leave_go_zero_values() -> None:
    parsed = Manifest.from_json(
        b'{"schemaVersion":null,"mediaType":null,"config":{"mediaType":null,"size":null,'
        b'"digest":"sha256:' + b"a" * 64 + b'","urls":null,"platform":null},"layers":null,'
        b'"annotations":null,"subject":null}'
    )
    assert parsed == Manifest(
        schema_version=0, config=Descriptor(media_type="", size=0, digest=DIGEST_A)
    )


def test_data_accepts_newlines_like_go_base64() -> None:
    parsed = Descriptor.from_json(
        b'{"mediaType":"m","size":2,"digest":"sha256:' + b"a" * 64 + b'","data":"e3\\n0="}'
    )
    assert parsed.data == b"{}"


def test_invalid_utf8_becomes_replacement_character() -> None:
    parsed = Descriptor.from_json(
        b'{"mediaType":"a\xffb","size":0,"digest":"sha256:' + b"a" * 64 + b'"}'
    )
    assert parsed.media_type == "a\ufffdb"
    assert b'"mediaType":"a\xef\xbf\xbdb"' in parsed.to_json()


def test_lone_surrogate_escape_becomes_replacement_character() -> None:
    parsed = Descriptor.from_json(
        b'{"mediaType":"\\ud800","size":0,"digest":"sha256:' + b"a" * 64 + b'"}'
    )
    assert parsed.media_type == "\ufffd"
