"""tarball.image: docker save (old and Docker 25+), crane tarballs, tags, links."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from containerregistry import tarball, types
from containerregistry.archive import TarWriter
from containerregistry.name import new_tag
from containerregistry.tarball import _layer, _measure, _spool
from containerregistry.v1 import ConfigFile, Hash, RootFS


def _config(*tars: bytes) -> bytes:
    diff_ids = tuple(Hash.of(t) for t in tars)
    return ConfigFile(architecture="amd64", os="linux", rootfs=RootFS(diff_ids=diff_ids)).to_json()


def _docker_save(
    kit: Any, *, docker25: bool = False, tags: list[str] | None = None
) -> tuple[bytes, list[bytes], bytes]:
    """A docker save tarball with two uncompressed layers."""
    tars = [kit.tar_of({"a": b"alpha"}), kit.tar_of({"b": b"bravo"})]
    config = _config(*tars)
    out = io.BytesIO()
    with TarWriter(out) as writer:
        if docker25:
            names = [f"blobs/sha256/{Hash.of(t).hex}" for t in tars]
            config_name = f"blobs/sha256/{Hash.of(config).hex}"
            sources = {
                str(Hash.of(t)): {
                    "mediaType": types.OCI_UNCOMPRESSED_LAYER,
                    "size": len(t),
                    "digest": str(Hash.of(t)),
                }
                for t in tars
            }
        else:
            names = [f"layer{i}/layer.tar" for i in range(len(tars))]
            config_name = f"{Hash.of(config).hex}.json"
            sources = {}
        writer.add_file(config_name, config)
        for name, data in zip(names, tars, strict=True):
            writer.add_file(name, data)
        entry: dict[str, Any] = {
            "Config": config_name,
            "RepoTags": tags or ["busybox:latest"],
            "Layers": names,
        }
        if sources:
            entry["LayerSources"] = sources
        writer.add_file("manifest.json", json.dumps([entry]).encode())
    return out.getvalue(), tars, config


@pytest.mark.parametrize("docker25", [False, True], ids=["docker-save-v1", "docker25-oci"])
def test_uncompressed_layers_are_gzipped_deterministically(kit: Any, docker25: bool) -> None:
    data, tars, config = _docker_save(kit, docker25=docker25)
    img = tarball.image(kit.opener_of(data))
    assert img.raw_config_file() == config
    assert img.config_name() == Hash.of(config)
    assert img.media_type() == types.DOCKER_MANIFEST_SCHEMA2
    manifest = img.manifest()
    for layer, tar, descriptor in zip(img.layers(), tars, manifest.layers or (), strict=True):
        blob = kit.gzip_of(tar)
        assert layer.diff_id() == Hash.of(tar)
        assert layer.digest() == Hash.of(blob) == descriptor.digest
        assert layer.size() == len(blob) == descriptor.size
        # Not a foreign layer: Docker 25's uncompressed LayerSources are ignored.
        assert descriptor.media_type == types.DOCKER_LAYER
        assert descriptor.urls == ()
        assert layer.compressed().read() == blob == layer.compressed().read()
        assert layer.uncompressed().read() == tar
    assert img.digest() == Hash.of(img.raw_manifest())
    assert img.layer_by_diff_id(Hash.of(tars[1])) is img.layers()[1]
    assert img.layer_by_digest(img.config_name()).compressed().read() == config


def test_compressed_layers_are_used_as_they_are(kit: Any) -> None:
    source = kit.make_image({"x": b"1"}, {"y": b"2"})
    out = io.BytesIO()
    tarball.write(new_tag("r/x:1"), source, out)
    img = tarball.image(kit.opener_of(out.getvalue()))
    assert img.raw_manifest() == source.raw_manifest()
    for ours, theirs in zip(img.layers(), source.layers(), strict=True):
        assert ours.compressed().read() == theirs.compressed().read()
        assert ours.uncompressed().read() == theirs.uncompressed().read()


def test_pushing_compressed_layers_never_compresses_or_decompresses(
    kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = kit.make_image({"x": b"1" * 5000}, {"y": b"2"})
    out = io.BytesIO()
    tarball.write(new_tag("r/x:1"), source, out)

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("a compressed layer was compressed or decompressed")

    for module, name in [
        (_layer, "compress"),
        (_layer, "decompress"),
        (_measure, "decompress"),
        (_spool, "compress"),
    ]:
        monkeypatch.setattr(module, name, forbidden)
    img = tarball.image(kit.opener_of(out.getvalue()))
    # What a push reads: the manifest (every layer's digest and size) and each blob.
    assert img.raw_manifest() == source.raw_manifest()
    for ours, theirs in zip(img.layers(), source.layers(), strict=True):
        assert ours.compressed().read() == theirs.compressed().read()


def test_uncompressed_layers_are_compressed_once(kit: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    data, tars, _ = _docker_save(kit)
    calls = []
    real = _spool.compress

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_spool, "compress", counting)
    monkeypatch.setattr(_layer, "compress", counting)
    img = tarball.image(kit.opener_of(data))
    img.raw_manifest()
    for layer, tar in zip(img.layers(), tars, strict=True):
        assert layer.compressed().read() == kit.gzip_of(tar) == layer.compressed().read()
    assert len(calls) == len(tars)


def test_tag_picks_one_image(kit: Any) -> None:
    first, second = kit.make_image({"1": b"1"}), kit.make_image({"2": b"2"})
    out = io.BytesIO()
    tarball.multi_write({new_tag("ubuntu"): first, new_tag("reg.example/bb:2"): second}, out)
    opener = kit.opener_of(out.getvalue())
    # Several spellings of one tag are the same tag.
    for spelling in ("ubuntu", "docker.io/library/ubuntu:latest", new_tag("ubuntu:latest")):
        assert tarball.image(opener, tag=spelling).digest() == first.digest()
    assert tarball.image(opener, tag="reg.example/bb:2").digest() == second.digest()
    with pytest.raises(tarball.TagNotFoundError, match=r"reg\.example/bb:3 not found"):
        tarball.image(opener, tag="reg.example/bb:3")
    with pytest.raises(tarball.TarballError, match="holds 2 images; pass tag="):
        tarball.image(opener)


def test_load_manifest(kit: Any) -> None:
    data, _, config = _docker_save(kit, tags=["a:1", "b:2"])
    (descriptor,) = tarball.load_manifest(kit.opener_of(data))
    assert descriptor.config == f"{Hash.of(config).hex}.json"
    assert descriptor.repo_tags == ("a:1", "b:2")
    assert descriptor.layers == ("layer0/layer.tar", "layer1/layer.tar")


def _linked(kit: Any, kind: str) -> tuple[bytes, bytes]:
    """A crane tarball whose manifest.json, config and layer are reached through links."""
    tar = kit.tar_of({"f": b"data"})
    blob = kit.gzip_of(tar)
    config = _config(tar)
    out = io.BytesIO()
    add_link = {"sym": TarWriter.add_symlink, "hard": TarWriter.add_hardlink}[kind]
    with TarWriter(out) as writer:
        writer.add_file("real/config.json", config)
        writer.add_file("real/layer.tar.gz", blob)
        writer.add_file("real/manifest.json", json.dumps(
            [{"Config": "cfg", "RepoTags": ["r/l:1"], "Layers": ["dir/layer"]}]
        ).encode())  # fmt: skip
        if kind == "sym":
            add_link(writer, "manifest.json", "real/manifest.json")
            add_link(writer, "cfg", "real/config.json")
            add_link(writer, "dir/layer", "../real/layer.tar.gz")
        else:
            add_link(writer, "manifest.json", "real/manifest.json")
            add_link(writer, "cfg", "real/config.json")
            add_link(writer, "dir/layer", "real/layer.tar.gz")
    return out.getvalue(), blob


@pytest.mark.parametrize("kind", ["sym", "hard"], ids=["symlinks", "hardlinks"])
def test_linked_entries_are_followed(kit: Any, kind: str) -> None:
    data, blob = _linked(kit, kind)
    img = tarball.image(kit.opener_of(data))
    (layer,) = img.layers()
    assert layer.digest() == Hash.of(blob)
    assert layer.compressed().read() == blob


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like a pipe."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_non_seekable_opener(kit: Any) -> None:
    data, tars, _ = _docker_save(kit)
    img = tarball.image(lambda: io.BufferedReader(_Pipe(data)))
    assert [layer.uncompressed().read() for layer in img.layers()] == tars
    assert img.layers()[0].digest() == Hash.of(kit.gzip_of(tars[0]))


def test_image_from_path(kit: Any, tmp_path: Any) -> None:
    data, tars, _ = _docker_save(kit)
    path = tmp_path / "saved.tar"
    path.write_bytes(data)
    img = tarball.image_from_path(path)
    assert [layer.diff_id() for layer in img.layers()] == [Hash.of(t) for t in tars]
