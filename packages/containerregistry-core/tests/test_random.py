"""random: seeded images, indexes and layers are deterministic and valid."""

from __future__ import annotations

import tarfile

import pytest

from containerregistry import random, types, validate
from containerregistry.compression import Compression, peek
from containerregistry.v1 import ConfigFile


def test_seeded_image_is_deterministic() -> None:
    first = random.image(300, 2, seed=7)
    second = random.image(300, 2, seed=7)
    assert first.digest() == second.digest()
    assert first.raw_config_file() == second.raw_config_file()
    assert random.image(300, 2, seed=8).digest() != first.digest()


def test_unseeded_images_differ() -> None:
    assert random.image(10, 1).digest() != random.image(10, 1).digest()


def test_image_shape() -> None:
    image = random.image(1024, 3, seed=1)
    config = ConfigFile.from_json(image.raw_config_file())
    assert [entry.comment for entry in config.history] == [
        f"this is a random history {i} of 3" for i in range(3)
    ]
    assert {entry.author for entry in config.history} == {"random.Image"}
    assert {entry.created_by for entry in config.history} == {"random"}
    layers = image.layers()
    assert [layer.diff_id() for layer in layers] == list(config.rootfs.diff_ids or ())
    assert image.manifest().media_type == types.DOCKER_MANIFEST_SCHEMA2
    for layer in layers:
        assert layer.media_type() == types.DOCKER_LAYER
        with layer.uncompressed() as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            members = [(m.name.startswith("random_file_"), m.size) for m in tar]
        assert members == [(True, 1024)]
    validate.image(image)


def test_tar_has_go_layout() -> None:
    layer = random.layer(5, seed=2)
    with layer.uncompressed() as stream:
        data = stream.read()
    # one header block, one data block, two end blocks: no padding to 10240 bytes
    assert len(data) == 512 * 4
    assert data[-1024:] == b"\0" * 1024
    assert data[148:156].endswith(b"\0 ")  # Go's checksum field: six digits, NUL, space


@pytest.mark.parametrize(
    ("media_type", "compression"),
    [
        pytest.param(types.DOCKER_LAYER, Compression.GZIP, id="gzip"),
        pytest.param(types.OCI_LAYER_ZSTD, Compression.ZSTD, id="zstd"),
        pytest.param(types.OCI_UNCOMPRESSED_LAYER, Compression.NONE, id="none"),
    ],
)
def test_layer_compressed_as_media_type_says(media_type: str, compression: Compression) -> None:
    layer = random.layer(100, media_type, seed=3)
    with layer.compressed() as stream:
        kind, _ = peek(stream)
    assert kind is compression
    assert layer.media_type() == media_type
    validate.layer(layer)


def test_large_layer_is_streamed() -> None:
    import tracemalloc

    layer = random.layer(32 << 20, types.OCI_UNCOMPRESSED_LAYER, seed=4)
    tracemalloc.start()
    try:
        layer.diff_id()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_index() -> None:
    index = random.index(64, 1, 3, seed=5)
    manifest = index.index_manifest()
    assert manifest.media_type == types.OCI_IMAGE_INDEX
    children = list(manifest.manifests or ())
    assert len(children) == 3
    assert all(child.platform is None for child in children)
    assert index.image(children[0].digest).digest() == children[0].digest
    assert random.index(64, 1, 3, seed=5).digest() == index.digest()
    validate.index(index)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: random.layer(-1), id="layer-size"),
        pytest.param(lambda: random.image(1, -1), id="image-layers"),
        pytest.param(lambda: random.index(1, 1, -1), id="index-count"),
    ],
)
def test_rejects_negative_sizes(call: object) -> None:
    with pytest.raises(ValueError, match="want >= 0"):
        call()  # type: ignore[operator]
