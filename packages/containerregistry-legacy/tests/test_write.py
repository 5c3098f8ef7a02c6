"""Writing legacy (docker save v1) tarballs: entries, bytes, ids and errors."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pathlib
from typing import Any

import pytest

from containerregistry import legacy, tarball, types
from containerregistry.name import new_digest, new_tag
from containerregistry.v1 import Config, ConfigFile, Hash, History, Image, Layer, Time

T1 = Time.parse("2020-01-01T00:00:00Z")
T2 = Time.parse("2021-06-07T08:09:10.5Z")
T3 = Time.parse("2022-02-02T02:02:02Z")


def _write(refs: dict[Any, Image]) -> bytes:
    out = io.BytesIO()
    legacy.multi_ref_write(refs, out)
    return out.getvalue()


def _image_with_history(kit: Any) -> Any:
    layers = [kit.gzip_layer({"a.txt": b"alpha"}), kit.gzip_layer({"b.txt": b"bravo"})]
    config = ConfigFile(
        architecture="amd64",
        os="linux",
        created=T3,
        docker_version="24.0",
        config=Config(cmd=("/bin/sh",), env=("A=1",)),
        history=(
            History(created=T1, created_by="ADD a.txt /", author="alice", comment="first"),
            History(created=T2, created_by="ENV A=1", empty_layer=True),
            History(created=T2, created_by="ADD b.txt /"),
        ),
    )
    return kit.MemoryImage(layers, config)


@pytest.mark.parametrize(
    ("digest_hex", "parent", "raw_config", "want"),
    [
        pytest.param(
            "a" * 64,
            "",
            b"",
            "c062d9a693abb41c29d9fafa4d9c3f5952df91e5b6baa8a340aece4189fe44e3",
            id="base",
        ),
        pytest.param(
            "b" * 64,
            "c" * 64,
            b"{}",
            "1b0de1a2ffb36768a17f1e60d173cb7f3f43f6b8ad04f79651bfd6b75b09d516",
            id="top-with-config",
        ),
    ],
)
def test_v1_layer_id(digest_hex: str, parent: str, raw_config: bytes, want: str) -> None:
    assert legacy.v1_layer_id(Hash.parse(f"sha256:{digest_hex}"), parent, raw_config) == want


def test_single_image_entries_and_bytes(kit: Any) -> None:
    img = _image_with_history(kit)
    data = _write({new_tag("reg.example:5000/team/app:v1"): img})
    entries = kit.read_tar(data)
    layers = img.layers()
    raw_config = img.raw_config_file()
    base_id = legacy.v1_layer_id(layers[0].digest(), "")
    top_id = legacy.v1_layer_id(layers[1].digest(), base_id, raw_config)
    config_hex = img.config_name().hex

    assert [info.name for info, _ in entries] == [
        f"{config_hex}.json",
        f"{base_id}/layer.tar",
        f"{base_id}/json",
        f"{base_id}/VERSION",
        f"{top_id}/layer.tar",
        f"{top_id}/json",
        f"{top_id}/VERSION",
        "manifest.json",
        "repositories",
    ]
    content = {info.name: body for info, body in entries}
    assert content[f"{config_hex}.json"] == raw_config
    assert content[f"{base_id}/layer.tar"] == kit.tar_of({"a.txt": b"alpha"})
    assert content[f"{top_id}/layer.tar"] == kit.tar_of({"b.txt": b"bravo"})
    assert content[f"{base_id}/VERSION"] == b"1.0"
    assert content[f"{base_id}/json"] == (
        b'{"architecture":"","author":"alice","created":"2020-01-01T00:00:00Z","os":"",'
        b'"rootfs":{"type":"","diff_ids":null},"config":{},'
        b'"container_config":{"Cmd":["ADD a.txt /"]},"id":"' + base_id.encode() + b'",'
        b'"comment":"first"}'
    )
    assert content[f"{top_id}/json"] == (
        b'{"architecture":"amd64","created":"2022-02-02T02:02:02Z","docker_version":"24.0",'
        b'"os":"linux","rootfs":{"type":"","diff_ids":null},'
        b'"config":{"Cmd":["/bin/sh"],"Env":["A=1"]},'
        b'"container_config":{"Cmd":["ADD b.txt /"]},"id":"' + top_id.encode() + b'",'
        b'"parent":"' + base_id.encode() + b'"}'
    )
    assert content["manifest.json"] == (
        b'[{"Config":"' + config_hex.encode() + b'.json",'
        b'"RepoTags":["reg.example:5000/team/app:v1"],'
        b'"Layers":["' + base_id.encode() + b'/layer.tar","' + top_id.encode() + b'/layer.tar"]}]'
    )
    assert content["repositories"] == (
        b'{"reg.example:5000/team/app":{"v1":"' + top_id.encode() + b'"}}'
    )


def test_tar_headers_match_crane(kit: Any) -> None:
    data = _write({new_tag("app:1"): _image_with_history(kit)})
    for info, _ in kit.read_tar(data):
        assert (info.mode, info.mtime, info.uid, info.gid) == (0o644, 0, 0, 0)
        assert (info.uname, info.gname, info.type) == ("", "", b"0")
    # USTAR headers, the two end blocks, and no padding to 10240 bytes.
    assert data[257:265] == b"ustar\x0000"
    assert len(data) % 512 == 0
    assert data[-1024:] == bytes(1024)
    assert data[-1536:-1024] != bytes(512)


def test_tag_without_tag_gets_latest_and_port_is_not_a_tag(kit: Any) -> None:
    img = kit.MemoryImage([kit.gzip_layer({"f": b"1"})])
    data = _write({new_tag("localhost:5000/app"): img, new_tag("app"): img})
    content = {info.name: body for info, body in kit.read_tar(data)}
    manifest = json.loads(content["manifest.json"])
    assert manifest[0]["RepoTags"] == ["app:latest", "localhost:5000/app:latest"]
    top = manifest[0]["Layers"][-1].split("/")[0]
    assert json.loads(content["repositories"]) == {
        "app": {"latest": top},
        "localhost:5000/app": {"latest": top},
    }


def test_digest_reference_has_no_tags(kit: Any) -> None:
    img = kit.MemoryImage([kit.gzip_layer({"f": b"1"})])
    ref = new_digest(f"reg.example/app@{img.digest()}")
    content = {info.name: body for info, body in kit.read_tar(_write({ref: img}))}
    assert json.loads(content["manifest.json"])[0]["RepoTags"] is None
    assert content["repositories"] == b"{}"


def test_images_ordered_by_config_and_shared_layers_written_once(kit: Any) -> None:
    shared = kit.gzip_layer({"base": b"shared"})
    images = [
        kit.MemoryImage([shared, kit.gzip_layer({"x": str(i).encode()})], ConfigFile(os=str(i)))
        for i in range(4)
    ]
    refs: dict[Any, Image] = {new_tag(f"app:{i}"): img for i, img in enumerate(images)}
    data = _write(refs)
    assert data == _write(dict(reversed(refs.items())))  # mapping order does not matter
    entries = [info.name for info, _ in kit.read_tar(data)]
    configs = [name for name in entries if name.endswith(".json") and "/" not in name]
    assert configs[:-1] == sorted(f"{img.config_name().hex}.json" for img in images)
    base_id = legacy.v1_layer_id(shared.digest(), "")
    assert entries.count(f"{base_id}/layer.tar") == 1
    content = {info.name: body for info, body in kit.read_tar(data)}
    listed = json.loads(content["manifest.json"])
    assert [d["Config"] for d in listed] == configs[:-1]
    assert all(d["Layers"][0] == f"{base_id}/layer.tar" for d in listed)


def test_same_image_under_two_tags_is_written_once(kit: Any) -> None:
    img = _image_with_history(kit)
    data = _write({new_tag("app:b"): img, new_tag("app:a"): img})
    content = {info.name: body for info, body in kit.read_tar(data)}
    listed = json.loads(content["manifest.json"])
    assert len(listed) == 1
    assert listed[0]["RepoTags"] == ["app:a", "app:b"]
    assert set(json.loads(content["repositories"])["app"]) == {"a", "b"}


def test_blank_history_when_config_has_none(kit: Any) -> None:
    img = kit.MemoryImage([kit.gzip_layer({"f": b"1"}), kit.gzip_layer({"g": b"2"})])
    content = {info.name: body for info, body in kit.read_tar(_write({new_tag("ab:c"): img}))}
    base_id = legacy.v1_layer_id(img.layers()[0].digest(), "")
    assert content[f"{base_id}/json"] == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"",'
        b'"rootfs":{"type":"","diff_ids":null},"config":{},"container_config":{"Cmd":[""]},'
        b'"id":"' + base_id.encode() + b'"}'
    )


@pytest.mark.parametrize(
    "history",
    [
        pytest.param((History(created_by="one"),), id="too-few"),
        pytest.param(tuple(History(created_by=str(i)) for i in range(3)), id="too-many"),
        pytest.param(
            (History(created_by="a"), History(created_by="b", empty_layer=True)),
            id="empty-layer-not-counted",
        ),
    ],
)
def test_history_must_pair_with_layers(
    kit: Any, history: tuple[History, ...], tmp_path: pathlib.Path
) -> None:
    img = kit.MemoryImage(
        [kit.gzip_layer({"f": b"1"}), kit.gzip_layer({"g": b"2"})], ConfigFile(history=history)
    )
    target = tmp_path / "out.tar"
    target.write_bytes(b"previous")
    with pytest.raises(legacy.HistoryMismatchError, match="2 layers"):
        legacy.write_to_file(target, new_tag("ab:c"), img)
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["out.tar"]


def test_foreign_layers_are_listed_in_layer_sources(kit: Any) -> None:
    foreign = kit.gzip_layer({"win": b"dows"})
    img = kit.MemoryImage(
        [foreign, kit.gzip_layer({"f": b"1"})],
        layer_media_types=[types.DOCKER_FOREIGN_LAYER, types.DOCKER_LAYER],
    )
    content = {info.name: body for info, body in kit.read_tar(_write({new_tag("ab:c"): img}))}
    sources = json.loads(content["manifest.json"])[0]["LayerSources"]
    assert list(sources) == [str(foreign.diff_id())]
    assert sources[str(foreign.diff_id())]["mediaType"] == types.DOCKER_FOREIGN_LAYER


def test_zero_layer_image(kit: Any) -> None:
    img = kit.MemoryImage([])
    content = {info.name: body for info, body in kit.read_tar(_write({new_tag("ab:c"): img}))}
    assert json.loads(content["manifest.json"]) == [
        {"Config": f"{img.config_name().hex}.json", "RepoTags": ["ab:c"], "Layers": []}
    ]
    assert content["repositories"] == b"{}"


def test_no_images_is_an_error() -> None:
    with pytest.raises(legacy.LegacyTarballError, match="no images"):
        legacy.multi_write({}, io.BytesIO())


class _SizedLayer:
    """A layer that knows its uncompressed size, and lies about it when asked to."""

    def __init__(self, inner: Layer, extra: int) -> None:
        self._inner = inner
        self._extra = extra
        self.digest = inner.digest
        self.diff_id = inner.diff_id
        self.compressed = inner.compressed
        self.uncompressed = inner.uncompressed
        self.size = inner.size
        self.media_type = inner.media_type

    def uncompressed_size(self) -> int:
        with self._inner.uncompressed() as stream:
            return len(stream.read()) - self._extra


def test_layer_with_known_uncompressed_size(kit: Any) -> None:
    layer = _SizedLayer(kit.gzip_layer({"f": b"x" * 5000}), 0)
    img = kit.MemoryImage([layer])
    content = {info.name: body for info, body in kit.read_tar(_write({new_tag("ab:c"): img}))}
    top_id = legacy.v1_layer_id(layer.digest(), "", img.raw_config_file())
    assert content[f"{top_id}/layer.tar"] == kit.tar_of({"f": b"x" * 5000})


def test_layer_longer_than_it_declares(kit: Any) -> None:
    img = kit.MemoryImage([_SizedLayer(kit.gzip_layer({"f": b"x"}), 512)])
    with pytest.raises(legacy.LegacyTarballError, match="more than"):
        _write({new_tag("ab:c"): img})


def test_write_to_file_and_read_back_with_tarball(kit: Any, tmp_path: pathlib.Path) -> None:
    img = _image_with_history(kit)
    other = kit.MemoryImage([kit.gzip_layer({"o": b"other"})])
    path = tmp_path / "legacy.tar"
    legacy.multi_write_to_file(path, {new_tag("app:1"): img, new_tag("other:2"): other})
    back = tarball.image_from_path(path, tag="app:1")
    assert back.config_name() == img.config_name()
    assert [layer.diff_id() for layer in back.layers()] == [
        layer.diff_id() for layer in img.layers()
    ]
    single = tmp_path / "single.tar"
    legacy.write_to_file(single, new_tag("app:1"), img)
    assert tarball.image_from_path(single).config_name() == img.config_name()
    assert (
        hashlib.sha256(single.read_bytes()).hexdigest()
        == hashlib.sha256(_write({new_tag("app:1"): img})).hexdigest()
    )


def test_write_and_multi_write_agree(kit: Any) -> None:
    img = _image_with_history(kit)
    one, many = io.BytesIO(), io.BytesIO()
    legacy.write(new_tag("app:1"), img, one)
    legacy.multi_write({new_tag("app:1"): img}, many)
    assert one.getvalue() == many.getvalue()
