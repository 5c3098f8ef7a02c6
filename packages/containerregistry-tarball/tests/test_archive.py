"""Bad input: every damaged or hostile tarball fails clearly, naming file and entry."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from typing import Any

import pytest

from containerregistry import tarball
from containerregistry.archive import TarWriter
from containerregistry.name import new_tag
from containerregistry.v1 import ConfigFile, Hash, RootFS

Build = Callable[[TarWriter], None]


def _tar(build: Build) -> bytes:
    out = io.BytesIO()
    with TarWriter(out) as writer:
        build(writer)
    return out.getvalue()


def _manifest(config: str = "config.json", layers: tuple[str, ...] = ()) -> bytes:
    return json.dumps([{"Config": config, "RepoTags": ["r/x:1"], "Layers": list(layers)}]).encode()


def _config(*tars: bytes) -> bytes:
    diff_ids = tuple(Hash.of(t) for t in tars)
    return ConfigFile(os="linux", rootfs=RootFS(diff_ids=diff_ids)).to_json()


def _missing_manifest(w: TarWriter) -> None:
    w.add_file("config.json", _config())


def _null_manifest(w: TarWriter) -> None:
    w.add_file("manifest.json", b"null")


def _dotdot_entry(w: TarWriter) -> None:
    w.add_file("../evil", b"x")
    w.add_file("manifest.json", _manifest())


def _absolute_entry(w: TarWriter) -> None:
    w.add_file("/etc/passwd", b"x")
    w.add_file("manifest.json", _manifest())


def _dotdot_reference(w: TarWriter) -> None:
    w.add_file("manifest.json", _manifest(config="../config.json"))


def _symlink_loop(w: TarWriter) -> None:
    w.add_symlink("a", "b")
    w.add_symlink("b", "a")
    w.add_file("manifest.json", _manifest(config="a"))


def _self_link(w: TarWriter) -> None:
    w.add_symlink("config.json", "config.json")
    w.add_file("manifest.json", _manifest())


def _escaping_symlink(w: TarWriter) -> None:
    w.add_symlink("config.json", "../../etc/passwd")
    w.add_file("manifest.json", _manifest())


def _absolute_symlink(w: TarWriter) -> None:
    w.add_symlink("config.json", "/etc/passwd")
    w.add_file("manifest.json", _manifest())


def _missing_config(w: TarWriter) -> None:
    w.add_file("manifest.json", _manifest(config="nope.json"))


def _config_digest_mismatch(w: TarWriter) -> None:
    config = _config()
    w.add_file(f"sha256:{Hash.of(b'other').hex}", config)
    w.add_file("manifest.json", _manifest(config=f"sha256:{Hash.of(b'other').hex}"))


def _layer_count_mismatch(w: TarWriter) -> None:
    w.add_file("config.json", _config(b"one", b"two"))
    w.add_file("layer.tar", b"one")
    w.add_file("manifest.json", _manifest(layers=("layer.tar",)))


def _not_json(w: TarWriter) -> None:
    w.add_file("manifest.json", b"{not json")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        pytest.param(_missing_manifest, "no manifest.json in the tarball", id="missing-manifest"),
        pytest.param(_null_manifest, "manifest.json is null", id="null-manifest"),
        pytest.param(_not_json, "manifest.json is not valid JSON", id="manifest-not-json"),
        pytest.param(_dotdot_entry, "entry '../evil' contains '..'", id="dotdot-entry"),
        pytest.param(_absolute_entry, "entry '/etc/passwd' is an absolute path", id="abs-entry"),
        pytest.param(_dotdot_reference, "reference '../config.json' contains '..'",
                     id="dotdot-reference"),
        pytest.param(_symlink_loop, r"entry 'a' is a link cycle \(a -> b -> a\)", id="loop"),
        pytest.param(_self_link, "link cycle", id="self-link"),
        pytest.param(_escaping_symlink, "links to '../../etc/passwd', outside the archive",
                     id="escaping-link"),
        pytest.param(_absolute_symlink, "links to the absolute path '/etc/passwd'",
                     id="absolute-link"),
        pytest.param(_missing_config, "entry 'nope.json' not found", id="missing-config"),
        pytest.param(_config_digest_mismatch, "holds content with digest", id="config-digest"),
        pytest.param(_layer_count_mismatch, "lists 1 layer.* has 2 rootfs.diff_ids",
                     id="layer-count"),
    ],
)  # fmt: skip
def test_bad_tarball_fails_naming_file_and_entry(tmp_path: Any, build: Build, message: str) -> None:
    path = tmp_path / "bad.tar"
    path.write_bytes(_tar(build))
    with pytest.raises(tarball.InvalidTarballError, match=message) as caught:
        tarball.image_from_path(path)
    assert str(path) in str(caught.value)


def _good(kit: Any) -> bytes:
    img = kit.make_image({"f": b"x" * 5000}, {"g": b"y"})
    out = io.BytesIO()
    tarball.write(new_tag("r/x:1"), img, out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        pytest.param(lambda size: size - 1024 - 512 - 100, "not a readable tar|truncated",
                     id="in-manifest-data"),
        pytest.param(lambda size: 700, "truncated", id="in-layer-data"),
        pytest.param(lambda size: 512 * 3 + 200, "truncated or corrupt header|truncated",
                     id="in-header"),
    ],
)  # fmt: skip
def test_truncated_tarball(
    kit: Any, tmp_path: Any, cut: Callable[[int], int], message: str
) -> None:
    data = _good(kit)
    path = tmp_path / "cut.tar"
    path.write_bytes(data[: cut(len(data))])
    with pytest.raises(tarball.InvalidTarballError, match=message) as caught:
        _read_everything(path)
    assert str(path) in str(caught.value)


def _read_everything(path: Any) -> None:
    img = tarball.image_from_path(path)
    for layer in img.layers():
        with layer.compressed() as stream:
            stream.read()


def test_layer_whose_content_does_not_match_its_name(kit: Any, tmp_path: Any) -> None:
    """Docker 25 names blobs by digest: a swapped blob is caught when hashed."""
    tar = kit.tar_of({"f": b"1"})
    blob = kit.gzip_of(tar)
    wrong = Hash.of(b"not the blob").hex

    def build(w: TarWriter) -> None:
        w.add_file("config.json", _config(tar))
        w.add_file(f"blobs/sha256/{wrong}", blob)
        w.add_file("manifest.json", _manifest(layers=(f"blobs/sha256/{wrong}",)))

    path = tmp_path / "swapped.tar"
    path.write_bytes(_tar(build))
    img = tarball.image_from_path(path)
    out = tmp_path / "out.tar"
    with pytest.raises(tarball.InvalidTarballError, match=f"blobs/sha256/{wrong}.*not the"):
        tarball.write_to_file(out, new_tag("r/x:1"), img)
    assert sorted(os.listdir(tmp_path)) == ["swapped.tar"]  # nothing written


def _one_gzip_layer(
    kit: Any, tmp_path: Any, entry: Callable[[bytes], str]
) -> tuple[Any, str, bytes]:
    """A tarball of one gzip layer stored as entry ``entry(tar)``: its path, entry and blob."""
    tar = kit.tar_of({"f": b"1"})
    blob = kit.gzip_of(tar)
    name = entry(tar)

    def build(w: TarWriter) -> None:
        w.add_file("config.json", _config(tar))
        w.add_file(name, blob)
        w.add_file("manifest.json", _manifest(layers=(name,)))

    path = tmp_path / "one-layer.tar"
    path.write_bytes(_tar(build))
    return path, name, blob


@pytest.mark.parametrize("suffix", [".tar.gz", ""], ids=["crane-name", "bare-hex"])
def test_a_layer_named_by_digest_is_described_by_its_name_and_checked_when_read(
    kit: Any, tmp_path: Any, suffix: str
) -> None:
    """crane's ``<hex>.tar.gz``: the manifest comes from the names, as from an OCI
    layout's; the bytes are checked whenever they are read."""
    claimed = Hash.of(b"not the blob")
    path, entry, blob = _one_gzip_layer(kit, tmp_path, lambda _: f"{claimed.hex}{suffix}")
    img = tarball.image_from_path(path)
    (descriptor,) = img.manifest().layers
    assert (descriptor.digest, descriptor.size) == (claimed, len(blob))
    (layer,) = img.layers()
    with layer.compressed() as stream, pytest.raises(tarball.InvalidTarballError) as caught:
        stream.read()
    assert str(caught.value) == (
        f"{path}: layer entry {entry!r} holds content with digest {Hash.of(blob)}, not the "
        f"{claimed} its name says: the tarball is corrupt or was altered"
    )


def test_a_layer_named_by_its_diff_id_is_hashed(kit: Any, tmp_path: Any) -> None:
    """A name that is the layer's diff_id says nothing of the compressed blob."""
    path, _, blob = _one_gzip_layer(kit, tmp_path, lambda tar: f"{Hash.of(tar).hex}.tar.gz")
    (descriptor,) = tarball.image_from_path(path).manifest().layers
    assert descriptor.digest == Hash.of(blob)


def test_uncompressed_layer_not_matching_the_config(kit: Any, tmp_path: Any) -> None:
    def build(w: TarWriter) -> None:
        w.add_file("config.json", _config(kit.tar_of({"f": b"expected"})))
        w.add_file("l/layer.tar", kit.tar_of({"f": b"tampered"}))
        w.add_file("manifest.json", _manifest(layers=("l/layer.tar",)))

    path = tmp_path / "tampered.tar"
    path.write_bytes(_tar(build))
    img = tarball.image_from_path(path)
    with pytest.raises(tarball.InvalidTarballError, match=r"'l/layer.tar' has diff_id .* config"):
        img.manifest()
    with pytest.raises(tarball.InvalidTarballError):
        tarball.write_to_file(tmp_path / "out.tar", new_tag("r/x:1"), img)
    assert sorted(os.listdir(tmp_path)) == ["tampered.tar"]


def test_not_a_tar(tmp_path: Any) -> None:
    path = tmp_path / "junk.tar"
    path.write_bytes(b"this is not a tar archive at all" * 40)
    with pytest.raises(tarball.InvalidTarballError, match="not a readable tar archive"):
        tarball.image_from_path(path)
