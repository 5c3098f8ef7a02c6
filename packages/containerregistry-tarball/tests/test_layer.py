"""layer_from_file, layer_from_opener, layer_from_reader: sniffing and options."""

from __future__ import annotations

import gc
import io
import os
import tempfile
from typing import Any

import pytest

from containerregistry import tarball, types
from containerregistry.compression import Compression
from containerregistry.v1 import Hash


def test_gzip_kept_byte_for_byte(kit: Any) -> None:
    tar = kit.tar_of({"f": b"x" * 1000})
    blob = kit.gzip_of(tar)
    layer = tarball.layer_from_opener(kit.opener_of(blob))
    assert layer.compressed().read() == blob
    assert (layer.digest(), layer.size()) == (Hash.of(blob), len(blob))
    assert layer.diff_id() == Hash.of(tar)
    assert layer.uncompressed().read() == tar
    assert layer.media_type() == types.DOCKER_LAYER


def test_zstd_kept_and_typed_as_zstd(kit: Any) -> None:
    tar = kit.tar_of({"f": b"z"})
    blob = kit.zstd_of(tar)
    layer = tarball.layer_from_opener(kit.opener_of(blob))
    assert layer.compressed().read() == blob
    assert layer.digest() == Hash.of(blob)
    assert layer.diff_id() == Hash.of(tar)
    assert layer.media_type() == types.OCI_LAYER_ZSTD


@pytest.mark.parametrize(
    ("options", "media_type", "magic"),
    [
        pytest.param({}, types.DOCKER_LAYER, b"\x1f\x8b", id="default-gzip"),
        pytest.param({"compression": Compression.ZSTD}, types.OCI_LAYER_ZSTD,
                     b"\x28\xb5\x2f\xfd", id="zstd"),
        pytest.param({"media_type": types.OCI_LAYER}, types.OCI_LAYER, b"\x1f\x8b",
                     id="media-type"),
        pytest.param({"compression_level": 9}, types.DOCKER_LAYER, b"\x1f\x8b", id="level-9"),
    ],
)  # fmt: skip
def test_uncompressed_input_is_compressed_deterministically(
    kit: Any, options: dict[str, Any], media_type: str, magic: bytes
) -> None:
    tar = kit.tar_of({f"file{i}": bytes([i]) * 3000 for i in range(20)})
    layer = tarball.layer_from_opener(kit.opener_of(tar), **options)
    first, second = layer.compressed().read(), layer.compressed().read()
    assert first == second
    assert first.startswith(magic)
    assert (layer.digest(), layer.size()) == (Hash.of(first), len(first))
    assert layer.diff_id() == Hash.of(tar)
    assert layer.uncompressed().read() == tar
    assert layer.media_type() == media_type


def test_level_changes_the_bytes(kit: Any) -> None:
    tar = kit.tar_of({f"file{i}": os.urandom(50) * 40 for i in range(20)})
    fast = tarball.layer_from_opener(kit.opener_of(tar))
    best = tarball.layer_from_opener(kit.opener_of(tar), compression_level=9)
    assert fast.digest() != best.digest()
    assert fast.diff_id() == best.diff_id()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param({"compression": Compression.NONE}, "not supported", id="none"),
        pytest.param({"compression_level": 10}, "0 to 9", id="gzip-level"),
        pytest.param({"compression": Compression.ZSTD, "compression_level": 0}, "1 to 22",
                     id="zstd-level"),
    ],
)  # fmt: skip
def test_bad_options(kit: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(tarball.LayerOptionError, match=message):
        tarball.layer_from_opener(kit.opener_of(kit.tar_of({})), **options)


def test_layer_from_file_measures_eagerly(kit: Any, tmp_path: Any) -> None:
    tar = kit.tar_of({"f": b"1"})
    path = tmp_path / "layer.tar"
    path.write_bytes(tar)
    layer = tarball.layer_from_file(path)
    path.unlink()  # digest, size and diff_id were computed when the layer was made
    assert layer.diff_id() == Hash.of(tar)
    assert layer.digest() == Hash.of(kit.gzip_of(tar))


@pytest.mark.parametrize(
    ("encode", "compressed_input"),
    [
        pytest.param(lambda kit, tar: tar, False, id="tar"),
        pytest.param(lambda kit, tar: kit.gzip_of(tar), True, id="gzip"),
        pytest.param(lambda kit, tar: kit.zstd_of(tar), True, id="zstd"),
    ],
)
def test_layer_from_reader_matches_layer_from_opener(
    kit: Any, encode: Any, compressed_input: bool
) -> None:
    # Several blocks, so the parallel compressor and the spilled spool are both used.
    tar = kit.tar_of({f"f{i}": os.urandom(1 << 19) for i in range(12)})
    source = encode(kit, tar)
    reader = io.BytesIO(source)
    layer = tarball.layer_from_reader(reader)
    assert not reader.closed  # the caller's stream
    expected = tarball.layer_from_opener(kit.opener_of(source))
    blob = layer.compressed().read()
    assert blob == expected.compressed().read()
    assert (blob == source) is compressed_input
    assert (layer.digest(), layer.size(), layer.diff_id()) == (
        Hash.of(blob),
        len(blob),
        Hash.of(tar),
    )
    assert layer.uncompressed().read() == tar
    assert layer.media_type() == expected.media_type()


def test_layer_from_reader_leaves_no_file_behind(
    kit: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tar = kit.tar_of({"big": os.urandom(6 << 20)})
    layer = tarball.layer_from_reader(io.BytesIO(tar))
    assert layer.uncompressed().read() == tar
    assert list(tmp_path.iterdir()) == []  # an unnamed file: nothing to clean up
    del layer
    gc.collect()
    assert list(tmp_path.iterdir()) == []


def test_uncompressed_source_is_compressed_once(kit: Any) -> None:
    tar = kit.tar_of({f"f{i}": os.urandom(1 << 19) for i in range(12)})
    opened = []

    def opener() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(tar)

    layer = tarball.layer_from_opener(opener)
    made = len(opened)  # the sniff and the one compression
    blobs = {layer.compressed().read() for _ in range(3)}
    assert len(opened) == made  # compressed() reads the kept blob, not the source
    assert blobs == {kit.gzip_of(tar)}
    assert layer.digest() == Hash.of(kit.gzip_of(tar))
