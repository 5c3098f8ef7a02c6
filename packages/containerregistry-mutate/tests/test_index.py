"""append_manifests, remove_manifests, index media type, annotations and subject on indexes."""

from __future__ import annotations

import json

import pytest

from containerregistry import empty, match, mutate, random, types
from containerregistry.v1 import Descriptor, Hash, Platform

AMD64 = Platform(os="linux", architecture="amd64")
ARM64 = Platform(os="linux", architecture="arm64")


def _two_platform_index() -> object:
    first = random.image(32, 1, seed=1)
    second = random.image(32, 1, seed=2)
    return (
        mutate.append_manifests(
            empty.index,
            mutate.IndexAddendum(first, platform=AMD64),
            mutate.IndexAddendum(second, platform=ARM64, annotations={"k": "v"}),
        ),
        first,
        second,
    )


def test_append_manifests_bytes() -> None:
    index, first, second = _two_platform_index()
    assert (
        index.raw_manifest()
        == (  # type: ignore[attr-defined]
            b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":['
            b'{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":'
            + str(first.size()).encode()  # type: ignore[attr-defined]
            + b',"digest":"'
            + str(first.digest()).encode()  # type: ignore[attr-defined]
            + b'","platform":{"architecture":"amd64","os":"linux"}},'
            b'{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":'
            + str(second.size()).encode()  # type: ignore[attr-defined]
            + b',"digest":"'
            + str(second.digest()).encode()  # type: ignore[attr-defined]
            + b'","annotations":{"k":"v"},"platform":{"architecture":"arm64","os":"linux"}}]}'
        )
    )
    assert index.image(first.digest()) is first  # type: ignore[attr-defined]
    assert index.digest() == Hash.of(index.raw_manifest())  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("matcher", "want"),
    [
        pytest.param(match.platforms(AMD64), ["arm64"], id="one-platform"),
        pytest.param(match.platforms(AMD64, ARM64), None, id="all-gives-null"),
        pytest.param(match.annotation("nope", "x"), ["amd64", "arm64"], id="none"),
    ],
)
def test_remove_manifests(matcher: object, want: list[str] | None) -> None:
    index, _, _ = _two_platform_index()
    removed = mutate.remove_manifests(index, matcher)  # type: ignore[arg-type]
    manifests = json.loads(removed.raw_manifest())["manifests"]
    if want is None:
        assert manifests is None
        assert b'"manifests":null' in removed.raw_manifest()
    else:
        assert [m["platform"]["architecture"] for m in manifests] == want


def test_remove_then_add_in_one_wrapper() -> None:
    index, _, _ = _two_platform_index()
    extra = random.image(16, 1, seed=3)
    both = mutate.MutatedIndex(
        index,  # type: ignore[arg-type]
        remove=lambda d: True,
        adds=[mutate.IndexAddendum(extra)],
    )
    digests = [d.digest for d in both.index_manifest().manifests or ()]
    assert digests == [extra.digest()]


def test_empty_index_stays_an_empty_list() -> None:
    assert mutate.annotations(empty.index, {}).raw_manifest() == empty.index.raw_manifest()


def test_descriptor_overrides() -> None:
    image = random.image(16, 1, seed=4)
    override = Descriptor(
        media_type=types.OCI_MANIFEST_SCHEMA1,
        size=0,
        digest=image.digest(),
        urls=("https://example.com",),
    )
    index = mutate.append_manifests(empty.index, mutate.IndexAddendum(image, descriptor=override))
    child = (index.index_manifest().manifests or ())[0]
    assert child.media_type == types.OCI_MANIFEST_SCHEMA1
    assert child.size == image.size()
    assert tuple(child.urls) == ("https://example.com",)


def test_index_media_type_annotations_subject() -> None:
    subject = Descriptor(media_type=types.OCI_MANIFEST_SCHEMA1, size=7, digest=Hash.of(b"x"))
    index = mutate.index_media_type(empty.index, types.DOCKER_MANIFEST_LIST)
    index = mutate.annotations(index, {"b": "2", "a": "<&>"})
    index = mutate.subject(index, subject)
    assert index.media_type() == types.DOCKER_MANIFEST_LIST
    assert index.raw_manifest() == (
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",'
        b'"manifests":[],"annotations":{"a":"\\u003c\\u0026\\u003e","b":"2"},"subject":'
        b'{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":7,"digest":"'
        + str(Hash.of(b"x")).encode()
        + b'"}}'
    )
