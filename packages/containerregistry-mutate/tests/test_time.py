"""time and canonical: re-tarred layers, config times and history."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from typing import Any

from containerregistry import empty, mutate, static, types
from containerregistry.v1 import Config, ConfigFile, Hash, History, Time


def _base(kit: Any) -> Any:
    layer = static.Layer(
        kit.build_tar([("dir", "d/"), ("file", "d/f", b"hello"), ("symlink", "l", "d/f")]),
        types.DOCKER_UNCOMPRESSED_LAYER,
    )
    image = mutate.config_file(
        empty.image,
        ConfigFile(
            architecture="amd64",
            os="linux",
            variant="v2",
            container="abc",
            docker_version="20.10",
            created=Time.parse("2023-01-01T00:00:00Z"),
            config=Config(hostname="host", env=("A=1",)),
        ),
    )
    return mutate.append(image, mutate.Addendum(layer, history=History(author="x", created_by="y")))


def test_time_rewrites_layers_and_config(kit: Any) -> None:
    moment = Time.parse("2020-02-02T02:02:02Z")
    image = mutate.time(_base(kit), moment)
    (layer,) = image.layers()
    assert layer.media_type() == types.DOCKER_LAYER
    blob = layer.compressed().read()
    assert blob[:3] == b"\x1f\x8b\x08"
    assert layer.digest() == Hash.of(blob)
    assert layer.size() == len(blob)
    assert layer.compressed().read() == blob  # deterministic
    tar = gzip.decompress(blob)
    assert layer.diff_id() == Hash.of(tar)
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        assert {info.name: info.mtime for info in archive} == {
            "d": moment.unix,
            "d/f": moment.unix,
            "l": moment.unix,
        }
        handle = archive.extractfile("d/f")
        assert handle is not None
        assert handle.read() == b"hello"
    config = json.loads(image.raw_config_file())
    assert config == {
        "architecture": "amd64",
        "created": "2020-02-02T02:02:02Z",
        "history": [{"created": "2020-02-02T02:02:02Z"}],
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [str(layer.diff_id())]},
        "config": {"Env": ["A=1"], "Hostname": "host"},
    }
    assert image.manifest().layers[0].digest == layer.digest()  # type: ignore[index]


def test_canonical_is_reproducible_and_clears_host_details(kit: Any) -> None:
    first = mutate.canonical(_base(kit))
    second = mutate.canonical(_base(kit))
    assert first.raw_manifest() == second.raw_manifest()
    assert first.digest() == second.digest()
    config = json.loads(first.raw_config_file())
    assert config["created"] == "0001-01-01T00:00:00Z"
    assert config["history"] == [{"created": "0001-01-01T00:00:00Z"}]
    assert config["config"] == {"Env": ["A=1"]}
    assert "container" not in config
    assert "docker_version" not in config
    (layer,) = first.layers()
    with tarfile.open(fileobj=layer.uncompressed()) as archive:
        assert {info.mtime for info in archive} == {0}


def test_canonical_of_an_already_canonical_tar_keeps_its_diff_id(kit: Any) -> None:
    tar = kit.build_tar([("file", "a", b"a")])  # mtime 0, USTAR
    image = mutate.append_layers(empty.image, static.Layer(tar, types.DOCKER_UNCOMPRESSED_LAYER))
    (layer,) = mutate.canonical(image).layers()
    assert layer.diff_id() == Hash.of(tar)


def test_large_layer_spools_to_disk(kit: Any) -> None:
    big = bytes(9 << 20)  # above the in-memory limit of the spool
    tar = kit.build_tar([("file", "big", big)])
    image = mutate.append_layers(empty.image, static.Layer(tar, types.DOCKER_UNCOMPRESSED_LAYER))
    (layer,) = mutate.canonical(image).layers()
    assert layer.diff_id() == Hash.of(tar)
    first, second = layer.uncompressed(), layer.uncompressed()
    assert first.read(10) == second.read(10)
    assert first.read() == tar[10:]
    assert gzip.decompress(layer.compressed().read()) == tar
