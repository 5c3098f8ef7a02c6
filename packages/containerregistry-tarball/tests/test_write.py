"""tarball.write and friends: entry names and order, manifest.json bytes, atomic files."""

from __future__ import annotations

import io
import json
import os
from typing import Any

import pytest

from containerregistry import tarball, types
from containerregistry.errors import ContainerRegistryError
from containerregistry.name import new_digest, new_tag
from containerregistry.static import Layer as StaticLayer
from containerregistry.v1 import Descriptor, Hash


def _write(refs: dict, **kwargs: object) -> bytes:  # type: ignore[type-arg]
    out = io.BytesIO()
    tarball.multi_ref_write(refs, out, **kwargs)  # type: ignore[arg-type]
    return out.getvalue()


def test_entries_names_order_and_headers(kit: Any, image_one: Any) -> None:
    data = _write({new_tag("reg.example/repo:v1"): image_one})
    entries = kit.read_tar(data)
    layer_hexes = [layer.digest().hex for layer in image_one.layers()]
    assert [info.name for info, _ in entries] == [
        str(image_one.config_name()),
        f"{layer_hexes[0]}.tar.gz",
        f"{layer_hexes[1]}.tar.gz",
        "manifest.json",
    ]
    for info, _ in entries:
        assert (info.mode, info.uid, info.gid, info.mtime, info.uname, info.gname) == (
            0o644, 0, 0, 0, "", "",
        )  # fmt: skip
        assert info.type == b"0"
    assert entries[0][1] == image_one.raw_config_file()
    assert entries[1][1] == image_one.layers()[0].compressed().read()
    # Two zero blocks end the archive, with no padding to 10240 bytes.
    assert data.endswith(b"\0" * 1024)
    assert len(data) == tarball.calculate_size({new_tag("reg.example/repo:v1"): image_one})
    assert len(data) == 512 * (4 + 4) + 1024  # 4 headers, 4 data blocks, 2 end blocks


def test_manifest_json_bytes(kit: Any, image_one: Any) -> None:
    data = _write({new_tag("reg.example/repo:v1"): image_one})
    hexes = [layer.digest().hex for layer in image_one.layers()]
    expected = (
        f'[{{"Config":"{image_one.config_name()}","RepoTags":["reg.example/repo:v1"],'
        f'"Layers":["{hexes[0]}.tar.gz","{hexes[1]}.tar.gz"]}}]'
    ).encode()
    assert kit.read_tar(data)[-1][1] == expected


@pytest.mark.parametrize(
    ("ref", "repo_tags"),
    [
        pytest.param("ubuntu", ["ubuntu:latest"], id="latest-appended"),
        pytest.param("ubuntu:latest", ["ubuntu:latest"], id="latest-explicit"),
        pytest.param("reg.example/a/b:1.0", ["reg.example/a/b:1.0"], id="other-tag"),
        pytest.param("index.docker.io/library/busybox", ["index.docker.io/library/busybox:latest"],
                     id="as-written"),
    ],
)  # fmt: skip
def test_repo_tags(kit: Any, image_one: Any, ref: str, repo_tags: list[str]) -> None:
    (descriptor,) = tarball.compute_manifest({new_tag(ref): image_one})
    assert list(descriptor.repo_tags or ()) == repo_tags


def test_digest_reference_has_null_repo_tags(kit: Any, image_one: Any) -> None:
    ref = new_digest(f"reg.example/repo@{image_one.digest()}")
    data = _write({ref: image_one})
    assert json.loads(kit.read_tar(data)[-1][1])[0]["RepoTags"] is None
    assert b'"RepoTags":null' in kit.read_tar(data)[-1][1]


def test_shared_layers_written_once_and_order_deterministic(kit: Any) -> None:
    shared = {"shared.txt": b"same"}
    first = kit.make_image(shared, {"one": b"1"})
    second = kit.make_image(shared, {"two": b"2"}, architecture="arm64")
    refs_a = {new_tag("reg.example/zz:1"): first, new_tag("reg.example/aa:1"): second}
    refs_b = {new_tag("reg.example/aa:1"): second, new_tag("reg.example/zz:1"): first}
    data = _write(refs_a)
    assert data == _write(refs_b)
    names = [info.name for info, _ in kit.read_tar(data)]
    shared_hex = first.layers()[0].digest().hex
    assert names.count(f"{shared_hex}.tar.gz") == 1
    manifest = json.loads(kit.read_tar(data)[-1][1])
    assert [m["RepoTags"] for m in manifest] == [["reg.example/aa:1"], ["reg.example/zz:1"]]
    # The image written first is the first in manifest.json.
    assert names[0] == str(second.config_name())
    assert names.index(str(first.config_name())) > names.index(f"{shared_hex}.tar.gz")


def test_same_image_under_two_tags_is_one_entry(kit: Any, image_one: Any) -> None:
    refs = {new_tag("reg.example/rr:1"): image_one, new_tag("reg.example/rr:2"): image_one}
    manifest = json.loads(kit.read_tar(_write(refs))[-1][1])
    assert len(manifest) == 1
    assert manifest[0]["RepoTags"] == ["reg.example/rr:1", "reg.example/rr:2"]


@pytest.mark.parametrize(
    ("media_type", "suffix"),
    [
        pytest.param(types.DOCKER_LAYER, ".tar.gz", id="docker-gzip"),
        pytest.param(types.OCI_LAYER, ".tar.gz", id="oci-gzip"),
        pytest.param(types.OCI_LAYER_ZSTD, ".tar.zst", id="oci-zstd"),
        pytest.param(types.OCI_UNCOMPRESSED_LAYER, ".tar", id="oci-uncompressed"),
        pytest.param(types.DOCKER_UNCOMPRESSED_LAYER, ".tar", id="docker-uncompressed"),
    ],
)
def test_layer_file_name(kit: Any, media_type: str, suffix: str) -> None:
    digest = Hash.of(b"x")
    assert tarball.layer_file_name(digest, media_type) == digest.hex + suffix


def test_zstd_and_uncompressed_layers_keep_their_bytes(kit: Any) -> None:
    zstd_blob = kit.zstd_of(kit.tar_of({"z": b"zz"}))
    zstd_layer = tarball.layer_from_opener(kit.opener_of(zstd_blob))
    plain = StaticLayer(kit.tar_of({"p": b"pp"}), types.OCI_UNCOMPRESSED_LAYER)
    img = kit.MemoryImage([zstd_layer, plain])
    entries = {info.name: body for info, body in kit.read_tar(_write({new_tag("r/x:1"): img}))}
    assert entries[f"{zstd_layer.digest().hex}.tar.zst"] == zstd_blob
    assert entries[f"{plain.digest().hex}.tar"] == plain.compressed().read()


def test_foreign_layers_go_to_layer_sources(kit: Any) -> None:
    blob = b"\x1f\x8b" + b"foreign-bytes"
    descriptor = Descriptor(
        media_type=types.DOCKER_FOREIGN_LAYER,
        size=len(blob),
        digest=Hash.of(blob),
        urls=("https://example.com/layer",),
    )

    class Foreign(StaticLayer):
        def diff_id(self) -> Hash:
            return Hash.of(b"uncompressed")

        def descriptor(self) -> Descriptor:
            return descriptor

    img = kit.MemoryImage([Foreign(blob, types.DOCKER_FOREIGN_LAYER)])
    manifest = kit.read_tar(_write({new_tag("r/w:1"): img}))[-1][1]
    sources = json.loads(manifest)[0]["LayerSources"]
    assert sources == {
        str(Hash.of(b"uncompressed")): {
            "mediaType": types.DOCKER_FOREIGN_LAYER,
            "size": len(blob),
            "digest": str(Hash.of(blob)),
            "urls": ["https://example.com/layer"],
        }
    }
    assert manifest.index(b'"Layers"') < manifest.index(b'"LayerSources"')


def test_progress_reports_up_to_total(kit: Any, image_one: Any) -> None:
    updates = []
    data = _write({new_tag("r/p:1"): image_one}, progress=updates.append)
    assert updates[-1].complete == updates[-1].total == len(data)
    assert all(u.error is None for u in updates)


def test_write_to_file_round_trip(kit: Any, tmp_path: object, image_one: Any) -> None:
    path = os.path.join(str(tmp_path), "out.tar")
    tarball.write_to_file(path, new_tag("reg.example/repo:v1"), image_one)
    assert os.listdir(str(tmp_path)) == ["out.tar"]
    back = tarball.image_from_path(path)
    assert back.digest() == image_one.digest()
    assert back.raw_manifest() == image_one.raw_manifest()
    assert [layer.digest() for layer in back.layers()] == [
        layer.digest() for layer in image_one.layers()
    ]


def test_multi_write_to_file(kit: Any, tmp_path: object) -> None:
    first, second = kit.make_image({"1": b"1"}), kit.make_image({"2": b"2"})
    path = os.path.join(str(tmp_path), "multi.tar")
    tarball.multi_write_to_file(path, {new_tag("r/a:1"): first, new_tag("r/b:1"): second})
    assert tarball.image_from_path(path, tag="r/b:1").digest() == second.digest()
    assert tarball.image_from_path(path, tag="r/a:1").digest() == first.digest()


def test_failed_write_leaves_the_old_file(kit: Any, tmp_path: object, image_one: Any) -> None:
    path = os.path.join(str(tmp_path), "out.tar")
    with open(path, "wb") as handle:
        handle.write(b"previous")

    class Broken(StaticLayer):
        def compressed(self) -> io.BytesIO:
            raise OSError("disk on fire")

    img = kit.MemoryImage([Broken(b"x", types.DOCKER_LAYER)])
    updates = []
    with pytest.raises(OSError, match="disk on fire"):
        tarball.write_to_file(path, new_tag("r/x:1"), img, progress=updates.append)
    assert os.listdir(str(tmp_path)) == ["out.tar"]
    with open(path, "rb") as handle:
        assert handle.read() == b"previous"
    assert isinstance(updates[-1].error, OSError)


def test_a_short_layer_fails_the_write_and_leaves_nothing(kit: Any, tmp_path: object) -> None:
    class Short(StaticLayer):
        def size(self) -> int:
            return 10

    img = kit.MemoryImage([Short(b"abc", types.DOCKER_LAYER)])
    with pytest.raises(ContainerRegistryError, match="ended after 3"):
        tarball.write_to_file(os.path.join(str(tmp_path), "x.tar"), new_tag("r/x:1"), img)
    assert os.listdir(str(tmp_path)) == []


def test_a_long_layer_fails_the_write(kit: Any) -> None:
    class Long(StaticLayer):
        def size(self) -> int:
            return 2

    img = kit.MemoryImage([Long(b"abc", types.DOCKER_LAYER)])
    with pytest.raises(tarball.TarballError, match="more than the 2 bytes"):
        _write({new_tag("r/x:1"): img})


@pytest.mark.parametrize("jobs", [1, 2, 4])
def test_write_to_file_is_byte_for_byte_the_stream_writer(
    kit: Any, tmp_path: object, jobs: int
) -> None:
    # Layers of assorted sizes (over one read chunk, off the 512-byte blocks), shared
    # between images, so that every gap sits somewhere else and one is written once.
    shared = {"shared.bin": os.urandom(3 << 20)}
    first = kit.make_image(shared, {"a.bin": os.urandom(1000)}, {"b.bin": os.urandom(700_001)})
    second = kit.make_image(shared, {"c.bin": b"c"}, architecture="arm64")
    refs = {new_tag("reg.example/zz:1"): first, new_tag("reg.example/aa:1"): second}
    path = os.path.join(str(tmp_path), "out.tar")
    updates = []
    tarball.multi_ref_write_to_file(path, refs, jobs=jobs, progress=updates.append)
    with open(path, "rb") as handle:
        written = handle.read()
    assert written == _write(refs)
    assert updates[-1].complete == updates[-1].total == len(written)
    assert all(u.error is None for u in updates)


def test_write_to_file_a_long_layer_fails_and_leaves_nothing(kit: Any, tmp_path: object) -> None:
    class Long(StaticLayer):
        def size(self) -> int:
            return 2

    img = kit.MemoryImage([Long(b"abc", types.DOCKER_LAYER)])
    with pytest.raises(tarball.TarballError, match="more than the 2 bytes"):
        tarball.write_to_file(os.path.join(str(tmp_path), "x.tar"), new_tag("r/x:1"), img)
    assert os.listdir(str(tmp_path)) == []


def test_write_to_file_a_failing_layer_stops_the_others(kit: Any, tmp_path: object) -> None:
    opened: list[str] = []

    class Counted(StaticLayer):
        def compressed(self) -> io.BytesIO:
            opened.append(str(self.digest()))
            return super().compressed()  # type: ignore[return-value]

    class Broken(StaticLayer):
        def size(self) -> int:
            return 10 << 20  # the largest: started first

        def compressed(self) -> io.BytesIO:
            raise OSError("connection reset by peer")

    layers = [Counted(os.urandom(100), types.DOCKER_LAYER) for _ in range(5)]
    img = kit.MemoryImage([*layers, Broken(b"x", types.DOCKER_LAYER)])
    path = os.path.join(str(tmp_path), "x.tar")
    updates = []
    with pytest.raises(OSError, match="connection reset"):
        tarball.write_to_file(path, new_tag("r/x:1"), img, jobs=1, progress=updates.append)
    assert opened == []  # one at a time, largest first: nothing after the failure
    assert os.listdir(str(tmp_path)) == []
    assert isinstance(updates[-1].error, OSError)
    with pytest.raises(OSError, match="connection reset"):
        tarball.write_to_file(path, new_tag("r/x:1"), img, jobs=4)
    assert os.listdir(str(tmp_path)) == []


def test_write_to_file_interrupted_stops_the_layers_and_leaves_nothing(
    kit: Any, tmp_path: object
) -> None:
    import signal
    import threading
    import time

    reads: list[int] = []
    lock = threading.Lock()

    class Endless(StaticLayer):
        """Declares 64 MiB; its stream hands out zeros and, at the 4th read, Ctrl-C."""

        def size(self) -> int:
            return 64 << 20

        def compressed(self) -> io.RawIOBase:  # type: ignore[override]
            class Zeros(io.RawIOBase):
                def readable(self) -> bool:
                    return True

                def readinto(self, buffer: Any) -> int:
                    with lock:
                        reads.append(1)
                        if len(reads) == 4:
                            os.kill(os.getpid(), signal.SIGINT)
                    time.sleep(0.01)  # a slow network
                    buffer[:] = bytes(len(buffer))
                    return len(buffer)

            return Zeros()

    img = kit.MemoryImage([Endless(b"a", types.DOCKER_LAYER), Endless(b"b", types.DOCKER_LAYER)])
    with pytest.raises(KeyboardInterrupt):
        tarball.write_to_file(os.path.join(str(tmp_path), "x.tar"), new_tag("r/x:1"), img)
    assert len(reads) < 64  # both stopped long before their 64 chunks each
    assert os.listdir(str(tmp_path)) == []
