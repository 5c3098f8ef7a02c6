"""validate: every mismatch between a view and its bytes is found and reported."""

from __future__ import annotations

import io
import tracemalloc
from typing import BinaryIO

import pytest

from containerregistry import partial, random, types, validate
from containerregistry.errors import ContainerRegistryError
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    Image,
    IndexManifest,
    Layer,
    Platform,
)


def blobs_of(image: Image) -> dict[Hash, bytes]:
    blobs = {image.config_name(): image.raw_config_file()}
    for layer in image.layers():
        with layer.compressed() as stream:
            blobs[layer.digest()] = stream.read()
    return blobs


def rebuilt(
    image: Image,
    *,
    blobs: dict[Hash, bytes] | None = None,
    raw_config: bytes | None = None,
) -> Image:
    content = blobs_of(image) if blobs is None else blobs
    return partial.image_from_blobs(
        image.raw_manifest(),
        open_blob=lambda digest: io.BytesIO(content[digest]),
        raw_config=raw_config,
    )


def test_valid_views_pass() -> None:
    image = random.image(500, 3, seed=1)
    validate.image(image)
    validate.image(rebuilt(image))
    validate.index(random.index(50, 2, 2, seed=2))
    for layer in image.layers():
        validate.layer(layer)


def test_corrupt_layer_blob() -> None:
    image = random.image(100, 2, seed=3)
    blobs = blobs_of(image)
    second = image.layers()[1].digest()
    blobs[second] = blobs[second][:-1] + bytes([blobs[second][-1] ^ 1])
    with pytest.raises(validate.ValidationError) as info:
        validate.image(rebuilt(image, blobs=blobs))
    assert len(info.value.problems) >= 1
    assert all(f"layer 1 ({second})" in problem for problem in info.value.problems)
    assert "digest mismatch" in str(info.value) or "damaged" in str(info.value)
    assert isinstance(info.value, ContainerRegistryError)


def test_config_that_does_not_match_the_manifest() -> None:
    image = random.image(10, 1, seed=4)
    other = ConfigFile(os="linux").to_json()
    with pytest.raises(validate.ValidationError) as info:
        validate.image(rebuilt(image, raw_config=other))
    text = str(info.value)
    assert "config digest in the manifest" in text
    assert "config size in the manifest" in text
    assert "number of diff_ids in the config" in text
    # problems are separated by blank lines
    assert text.count("\n\n") == len(info.value.problems)


class LyingLayer:
    """A layer whose claims (digest, size, diff ID) can be overridden."""

    def __init__(self, inner: Layer, **claims: object) -> None:
        self.inner = inner
        self.claims = claims

    def digest(self) -> Hash:
        return self.claims.get("digest", self.inner.digest())  # type: ignore[return-value]

    def diff_id(self) -> Hash:
        return self.claims.get("diff_id", self.inner.diff_id())  # type: ignore[return-value]

    def size(self) -> int:
        return self.claims.get("size", self.inner.size())  # type: ignore[return-value]

    def media_type(self) -> str:
        return self.inner.media_type()

    def compressed(self) -> BinaryIO:
        return self.inner.compressed()

    def uncompressed(self) -> BinaryIO:
        return self.inner.uncompressed()


@pytest.mark.parametrize(
    ("claims", "expected"),
    [
        pytest.param({"digest": Hash.of(b"x")}, ["compressed digest"], id="digest"),
        pytest.param({"size": 1}, ["compressed size"], id="size"),
        pytest.param(
            {"diff_id": Hash.of(b"x")},
            ["diff ID of the decompressed blob", "layer: diff ID: the view says"],
            id="diff-id",
        ),
    ],
)
def test_layer_claims_are_checked(claims: dict[str, object], expected: list[str]) -> None:
    layer = LyingLayer(random.layer(100, seed=5), **claims)
    with pytest.raises(validate.ValidationError) as info:
        validate.layer(layer)
    assert len(info.value.problems) == len(expected)
    for problem, phrase in zip(info.value.problems, expected, strict=True):
        assert phrase in problem


class BlobLayer:
    def __init__(self, data: bytes, media_type: str = types.OCI_UNCOMPRESSED_LAYER) -> None:
        self.data = data
        self._media_type = media_type
        self.opened = 0

    def digest(self) -> Hash:
        return Hash.of(self.data)

    def diff_id(self) -> Hash:
        return Hash.of(self.data)

    def size(self) -> int:
        return len(self.data)

    def media_type(self) -> str:
        return self._media_type

    def compressed(self) -> BinaryIO:
        self.opened += 1
        return io.BytesIO(self.data)

    def uncompressed(self) -> BinaryIO:
        return io.BytesIO(self.data)


def test_layer_that_is_not_a_tar() -> None:
    with pytest.raises(validate.ValidationError, match="not a readable tar archive"):
        validate.layer(BlobLayer(b"hello, this is not a tar" * 40))


def test_empty_layer_and_non_layer_blobs_are_fine() -> None:
    validate.layer(BlobLayer(b""))
    validate.layer(BlobLayer(b"{}", "application/vnd.example.sbom+json"))


def test_fast_only_opens_blobs() -> None:
    layer = BlobLayer(b"not a tar at all")
    validate.layer(layer, fast=True)
    assert layer.opened == 1


def test_fast_image_skips_layer_contents() -> None:
    image = random.image(100, 1, seed=6)
    blobs = blobs_of(image)
    digest = image.layers()[0].digest()
    blobs[digest] = b"garbage"
    validate.image(rebuilt(image, blobs=blobs), fast=True)
    with pytest.raises(validate.ValidationError):
        validate.image(rebuilt(image, blobs=blobs))


def _index_of(image: Image, descriptor: Descriptor) -> partial.UncompressedImageCore:
    manifest = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=(descriptor,))
    return partial.index_from_raw(  # type: ignore[return-value]
        manifest.to_json(), children={image.digest(): image}
    )


def test_index_child_descriptor_mismatches() -> None:
    image = random.image(10, 1, seed=7)
    wrong = Descriptor(
        media_type=types.OCI_MANIFEST_SCHEMA1, size=image.size() + 1, digest=image.digest()
    )
    with pytest.raises(validate.ValidationError) as info:
        validate.index(_index_of(image, wrong))  # type: ignore[arg-type]
    text = str(info.value)
    assert "size in the index" in text
    assert "media type in the index" in text


def test_index_child_platform_against_config() -> None:
    core_config = ConfigFile(os="linux", architecture="arm64").to_json()

    class Core:
        def raw_config_file(self) -> bytes:
            return core_config

        def media_type(self) -> str:
            return types.DOCKER_MANIFEST_SCHEMA2

        def layer_by_diff_id(self, diff_id: Hash) -> partial.UncompressedLayerCore:
            raise partial.BlobNotFoundError(str(diff_id))

    image = partial.uncompressed_to_image(Core())
    good = Descriptor(
        media_type=image.media_type(),
        size=image.size(),
        digest=image.digest(),
        platform=Platform(os="linux", architecture="arm64", variant="v8"),
    )
    validate.index(_index_of(image, good))  # type: ignore[arg-type]
    bad = Descriptor(
        media_type=image.media_type(),
        size=image.size(),
        digest=image.digest(),
        platform=Platform(os="linux", architecture="amd64"),
    )
    with pytest.raises(validate.ValidationError, match="platform architecture is 'amd64'"):
        validate.index(_index_of(image, bad))  # type: ignore[arg-type]


def test_missing_child_is_reported() -> None:
    manifest = IndexManifest(
        media_type=types.OCI_IMAGE_INDEX,
        manifests=(Descriptor(media_type=types.OCI_MANIFEST_SCHEMA1, size=1, digest=Hash.of(b"")),),
    )
    index = partial.index_from_raw(manifest.to_json(), children={})
    with pytest.raises(validate.ValidationError, match=r"child 0 .*image\(\) failed"):
        validate.index(index)


def test_memory_stays_flat_for_a_large_layer() -> None:
    layer = random.layer(64 << 20, types.OCI_UNCOMPRESSED_LAYER, seed=8)
    layer.digest()
    tracemalloc.start()
    try:
        validate.layer(layer)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 << 20
