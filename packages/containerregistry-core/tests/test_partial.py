"""partial: full views from small cores, and the helper functions."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from typing import BinaryIO

import pytest

from containerregistry import match, partial, random, types, validate
from containerregistry.archive import TarWriter
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    Image,
    IndexManifest,
    Layer,
    Manifest,
    Platform,
    RootFS,
)
from containerregistry.verify import DigestMismatchError, SizeMismatchError


def make_tar(name: str, content: bytes) -> bytes:
    sink = io.BytesIO()
    with TarWriter(sink) as writer:
        writer.add_file(name, content)
    return sink.getvalue()


TAR = make_tar("x.txt", b"x")
GZIPPED = gzip.compress(TAR, mtime=0)


class GzipCore:
    """A compressed layer core over bytes in memory, counting opens."""

    def __init__(self, blob: bytes, *, claimed: bytes | None = None) -> None:
        self.blob = blob
        self.claimed = blob if claimed is None else claimed
        self.opens = 0

    def digest(self) -> Hash:
        return Hash.of(self.claimed)

    def size(self) -> int:
        return len(self.claimed)

    def media_type(self) -> str:
        return types.OCI_LAYER

    def compressed(self) -> BinaryIO:
        self.opens += 1
        return io.BytesIO(self.blob)


def test_compressed_to_layer() -> None:
    core = GzipCore(GZIPPED)
    layer = partial.compressed_to_layer(core)
    assert isinstance(layer, Layer)
    assert layer.digest() == Hash.of(GZIPPED)
    assert layer.size() == len(GZIPPED)
    assert layer.diff_id() == Hash.of(TAR)
    assert layer.diff_id() == Hash.of(TAR)
    assert core.opens == 1  # the diff ID is memoized
    with layer.uncompressed() as stream:
        assert stream.read() == TAR
    with layer.compressed() as stream:
        assert stream.read() == GZIPPED


def test_compressed_layer_prefers_the_core_diff_id() -> None:
    class WithDiffID(GzipCore):
        def diff_id(self) -> Hash:
            return Hash.of(b"declared")

    core = WithDiffID(GZIPPED)
    assert partial.compressed_to_layer(core).diff_id() == Hash.of(b"declared")
    assert core.opens == 0


@pytest.mark.parametrize(
    ("claimed", "error"),
    [
        pytest.param(GZIPPED[:-1] + b"!", DigestMismatchError, id="digest"),
        pytest.param(GZIPPED + b"!", SizeMismatchError, id="size"),
    ],
)
def test_compressed_reads_are_verified(claimed: bytes, error: type[Exception]) -> None:
    layer = partial.compressed_to_layer(GzipCore(GZIPPED, claimed=claimed))
    with pytest.raises(error), layer.compressed() as stream:
        stream.read()


def blobs_of(image: Image) -> dict[Hash, bytes]:
    blobs = {image.config_name(): image.raw_config_file()}
    for layer in image.layers():
        with layer.compressed() as stream:
            blobs[layer.digest()] = stream.read()
    return blobs


class Opener:
    def __init__(self, blobs: dict[Hash, bytes]) -> None:
        self.blobs = blobs
        self.opened: list[Hash] = []

    def __call__(self, digest: Hash) -> BinaryIO:
        self.opened.append(digest)
        return io.BytesIO(self.blobs[digest])


def test_image_from_blobs_is_lazy_and_memoized() -> None:
    source = random.image(200, 2, seed=11)
    opener = Opener(blobs_of(source))
    image = partial.image_from_blobs(source.raw_manifest(), open_blob=opener)
    assert opener.opened == []
    assert image.digest() == source.digest()
    assert image.media_type() == types.DOCKER_MANIFEST_SCHEMA2
    assert image.config_file() == source.config_file()
    assert image.config_name() == source.config_name()
    assert opener.opened == [source.config_name()]
    image.raw_config_file()
    assert opener.opened == [source.config_name()]
    layers = image.layers()
    assert [layer.diff_id() for layer in layers] == partial.diff_ids(source)
    assert len(opener.opened) == 1  # diff IDs come from the config, not the blobs
    by_diff_id = image.layer_by_diff_id(partial.diff_ids(source)[1])
    assert by_diff_id.digest() == layers[1].digest()
    validate.image(image)


def test_image_from_blobs_raw_config_and_media_type_override() -> None:
    source = random.image(10, 1, seed=12)
    opener = Opener(blobs_of(source))
    image = partial.image_from_blobs(
        source.raw_manifest(),
        open_blob=opener,
        raw_config=source.raw_config_file(),
        media_type=types.OCI_MANIFEST_SCHEMA1,
    )
    assert image.config_file() == source.config_file()
    assert image.media_type() == types.OCI_MANIFEST_SCHEMA1
    assert opener.opened == []


def test_image_from_blobs_unknown_digest() -> None:
    source = random.image(10, 1, seed=13)
    image = partial.image_from_blobs(source.raw_manifest(), open_blob=Opener(blobs_of(source)))
    with pytest.raises(partial.BlobNotFoundError, match="not listed"):
        image.layer_by_digest(Hash.of(b"nope"))
    with pytest.raises(partial.BlobNotFoundError, match="diff ID"):
        image.layer_by_diff_id(Hash.of(b"nope"))


def test_image_from_blobs_verifies_config() -> None:
    source = random.image(10, 1, seed=14)
    blobs = blobs_of(source)
    blobs[source.config_name()] = blobs[source.config_name()].replace(b"random", b"RANDOM")
    image = partial.image_from_blobs(source.raw_manifest(), open_blob=Opener(blobs))
    with pytest.raises(DigestMismatchError):
        image.raw_config_file()


class TarCore:
    def __init__(self, data: bytes, media_type: str = types.DOCKER_LAYER) -> None:
        self.data = data
        self._media_type = media_type

    def diff_id(self) -> Hash:
        return Hash.of(self.data)

    def uncompressed(self) -> BinaryIO:
        return io.BytesIO(self.data)

    def media_type(self) -> str:
        return self._media_type


def test_uncompressed_to_layer_compresses_deterministically() -> None:
    layer = partial.uncompressed_to_layer(TarCore(TAR))
    with layer.compressed() as first, layer.compressed() as second:
        assert first.read() == second.read()
    assert layer.diff_id() == Hash.of(TAR)
    with layer.compressed() as stream:
        assert Hash.of(stream.read()) == layer.digest()
    assert partial.descriptor(layer) == Descriptor(
        media_type=types.DOCKER_LAYER, size=layer.size(), digest=layer.digest()
    )


class TarImageCore:
    def __init__(self, tars: list[bytes]) -> None:
        self.layers = {Hash.of(tar): TarCore(tar) for tar in tars}
        self.config = ConfigFile(
            architecture="amd64", os="linux", rootfs=RootFS(diff_ids=list(self.layers))
        ).to_json()

    def raw_config_file(self) -> bytes:
        return self.config

    def media_type(self) -> str:
        return types.DOCKER_MANIFEST_SCHEMA2

    def layer_by_diff_id(self, diff_id: Hash) -> TarCore:
        return self.layers[diff_id]


def test_uncompressed_to_image_synthesizes_docker_manifest() -> None:
    tars = [TAR, make_tar("y.txt", b"y")]
    image = partial.uncompressed_to_image(TarImageCore(tars))
    manifest = image.manifest()
    assert manifest.media_type == types.DOCKER_MANIFEST_SCHEMA2
    assert manifest.config.media_type == types.DOCKER_CONFIG_JSON
    assert manifest.config.digest == image.config_name()
    assert [d.media_type for d in manifest.layers or ()] == [types.DOCKER_LAYER] * 2
    assert image.raw_manifest() == manifest.to_json()
    assert [layer.diff_id() for layer in image.layers()] == [Hash.of(t) for t in tars]
    second = (manifest.layers or ())[1].digest
    assert image.layer_by_digest(second).diff_id() == Hash.of(tars[1])
    validate.image(image)


def test_blob_mapping_helpers() -> None:
    image = random.image(10, 2, seed=21)
    digests = partial.fs_layers(image)
    diff_ids = partial.diff_ids(image)
    assert [partial.blob_to_diff_id(image, d) for d in digests] == diff_ids
    assert [partial.diff_id_to_blob(image, d) for d in diff_ids] == digests
    assert partial.blob_size(image, digests[0]) == image.layers()[0].size()
    assert partial.blob_descriptor(image, image.config_name()).media_type == (
        types.DOCKER_CONFIG_JSON
    )
    assert partial.digest(image) == image.digest()
    assert partial.size(image) == len(image.raw_manifest())
    assert partial.manifest(image) == Manifest.from_json(image.raw_manifest())
    assert partial.config_name(image) == image.config_name()
    config_layer = partial.config_layer(image)
    assert config_layer.digest() == image.config_name()
    assert config_layer.media_type() == types.DOCKER_CONFIG_JSON


def test_layer_count_mismatch() -> None:
    source = random.image(10, 1, seed=22)
    broken = partial.image_from_blobs(
        source.raw_manifest(),
        open_blob=Opener(blobs_of(source)),
        raw_config=ConfigFile().to_json(),
    )
    with pytest.raises(partial.LayerCountMismatchError, match="1 layers but the config has 0"):
        broken.layers()[0].diff_id()


class RawManifestOnly:
    def __init__(self, raw: bytes, media_type: str) -> None:
        self.raw = raw
        self._media_type = media_type

    def raw_manifest(self) -> bytes:
        return self.raw

    def media_type(self) -> str:
        return self._media_type

    def digest(self) -> Hash:
        return Hash.of(self.raw)

    def size(self) -> int:
        return len(self.raw)


def _artifact(config_type: str, artifact: str = "") -> RawManifestOnly:
    manifest = Manifest(
        media_type=types.OCI_MANIFEST_SCHEMA1,
        config=Descriptor(media_type=config_type, size=2, digest=Hash.of(b"{}")),
        layers=(),
        artifact_type=artifact,
    )
    return RawManifestOnly(manifest.to_json(), types.OCI_MANIFEST_SCHEMA1)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(_artifact(types.OCI_CONFIG_JSON), "", id="image"),
        pytest.param(_artifact("application/x.sbom"), "application/x.sbom", id="config-type"),
        pytest.param(
            _artifact(types.OCI_CONFIG_JSON, "application/x.sig"),
            "application/x.sig",
            id="declared",
        ),
    ],
)
def test_artifact_type_and_descriptor(obj: RawManifestOnly, expected: str) -> None:
    assert partial.artifact_type(obj) == expected
    described = partial.descriptor(obj)
    assert described.artifact_type == expected
    assert described.digest == Hash.of(obj.raw)
    assert described.size == len(obj.raw)


def test_descriptor_prefers_the_view_own() -> None:
    own = Descriptor(media_type="m", size=1, digest=Hash.of(b"x"), urls=("https://u",))

    class Described(GzipCore):
        def descriptor(self) -> Descriptor:
            return own

    layer = partial.compressed_to_layer(Described(GZIPPED))
    assert partial.descriptor(layer) == own


def test_uncompressed_size() -> None:
    layer = partial.compressed_to_layer(GzipCore(GZIPPED))
    assert partial.uncompressed_size(layer) == len(TAR)
    assert partial.uncompressed_size(random.layer(5, seed=1)) == 2048


def test_find_in_index() -> None:
    images = [random.image(10, 1, seed=s) for s in (31, 32)]
    amd64 = Platform(os="linux", architecture="amd64")
    inner = partial.index_from_raw(
        IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=()).to_json(), children={}
    )
    children: dict[Hash, object] = {images[0].digest(): images[0], images[1].digest(): images[1]}
    children[inner.digest()] = inner
    manifest = IndexManifest(
        media_type=types.OCI_IMAGE_INDEX,
        manifests=(
            Descriptor(
                media_type=images[0].media_type(),
                size=images[0].size(),
                digest=images[0].digest(),
                platform=amd64,
            ),
            partial.descriptor(images[1]),
            partial.descriptor(inner),
        ),
    )
    index = partial.index_from_raw(manifest.to_json(), children=children)  # type: ignore[arg-type]
    everything: Callable[[Descriptor], bool] = lambda _: True  # noqa: E731
    assert len(partial.find_manifests(index, everything)) == 3
    assert partial.find_manifests(index, match.platforms(amd64)) == [manifest.manifests[0]]  # type: ignore[index]
    assert [i.digest() for i in partial.find_images(index, everything)] == [
        images[0].digest(),
        images[1].digest(),
    ]
    assert [i.digest() for i in partial.find_indexes(index, everything)] == [inner.digest()]
