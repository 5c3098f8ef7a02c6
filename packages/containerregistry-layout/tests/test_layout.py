"""Layouts: exact files, reading back, append/replace/remove, locking, gc, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from containerregistry import layout, match, types
from containerregistry.v1 import Hash, Platform

REF = match.REF_NAME_ANNOTATION


def test_write_files_exactly(kit: Any, tmp_path: Any) -> None:
    index = kit.MemoryIndex([kit.make_image("a", "b"), kit.make_image("c", architecture="arm64")])
    layout.write(tmp_path, index)
    assert (tmp_path / "oci-layout").read_bytes() == b'{\n    "imageLayoutVersion": "1.0.0"\n}'
    assert (tmp_path / "index.json").read_bytes() == index.raw_manifest()
    blobs = sorted(os.listdir(tmp_path / "blobs" / "sha256"))
    expected = set()
    for descriptor in index.index_manifest().manifests:
        image = index.image(descriptor.digest)
        expected |= {descriptor.digest.hex, image.config_name().hex}
        expected |= {layer.digest().hex for layer in image.layers()}
    assert blobs == sorted(expected)
    for name in blobs:
        assert Hash.of((tmp_path / "blobs" / "sha256" / name).read_bytes()).hex == name


def test_read_back(kit: Any, tmp_path: Any) -> None:
    image = kit.make_image("a", "b")
    nested = kit.MemoryIndex([kit.make_image("n")])
    index = kit.MemoryIndex([image, nested])
    layout.write(tmp_path, index)
    read = layout.image_index_from_path(tmp_path)
    assert read.raw_manifest() == index.raw_manifest()
    assert read.digest() == index.digest()
    got = read.image(image.digest())
    assert got.raw_manifest() == image.raw_manifest()
    assert got.raw_config_file() == image.raw_config_file()
    for ours, theirs in zip(got.layers(), image.layers(), strict=True):
        assert ours.compressed().read() == theirs.blob
        assert ours.uncompressed().read() == theirs.tar
        assert ours.diff_id() == theirs.diff_id()
    child = read.image_index(nested.digest())
    assert child.raw_manifest() == nested.raw_manifest()
    with pytest.raises(layout.InvalidLayoutError, match="not an image manifest"):
        read.image(nested.digest())
    with pytest.raises(layout.InvalidLayoutError, match="not an index"):
        read.image_index(image.digest())
    path = layout.from_path(tmp_path)
    assert path.bytes(image.digest()) == image.raw_manifest()
    assert path.image(image.digest()).digest() == image.digest()


def _index_json(tmp_path: Any) -> dict[str, Any]:
    return json.loads((tmp_path / "index.json").read_bytes())


def test_append_is_indented_and_idempotent(kit: Any, tmp_path: Any) -> None:
    path = layout.write(tmp_path, kit.MemoryIndex([]))
    image = kit.make_image("a")
    platform = Platform(os="linux", architecture="amd64")
    for _ in range(2):
        path.append_image(image, annotations={REF: "v1"}, platform=platform, urls=["https://x"])
    raw = (tmp_path / "index.json").read_bytes()
    assert raw.startswith(b'{\n   "schemaVersion": 2,\n   "mediaType": ')
    (entry,) = _index_json(tmp_path)["manifests"]
    assert entry == {
        "mediaType": types.OCI_MANIFEST_SCHEMA1,
        "size": image.size(),
        "digest": str(image.digest()),
        "urls": ["https://x"],
        "annotations": {REF: "v1"},
        "platform": {"architecture": "amd64", "os": "linux"},
    }
    # Other annotations make a second entry, as a second tag would.
    path.append_image(image, annotations={REF: "v2"})
    assert [m["annotations"][REF] for m in _index_json(tmp_path)["manifests"]] == ["v1", "v2"]


def test_append_index_and_descriptor(kit: Any, tmp_path: Any) -> None:
    path = layout.write(tmp_path, kit.MemoryIndex([]))
    inner = kit.MemoryIndex([kit.make_image("x")])
    path.append_index(inner, annotations={REF: "idx"})
    read = path.image_index()
    (descriptor,) = read.index_manifest().manifests
    assert descriptor.media_type == types.OCI_IMAGE_INDEX
    assert read.image_index(inner.digest()).raw_manifest() == inner.raw_manifest()
    path.append_descriptor(descriptor)
    assert len(_index_json(tmp_path)["manifests"]) == 1


def test_replace_and_remove(kit: Any, tmp_path: Any) -> None:
    path = layout.write(tmp_path, kit.MemoryIndex([]))
    old, new, other = kit.make_image("old"), kit.make_image("new"), kit.make_image("other")
    path.append_image(old, annotations={REF: "v1"})
    path.append_image(other, annotations={REF: "keep"})
    path.replace_image(new, match.name("v1"), annotations={REF: "v1"})
    manifests = _index_json(tmp_path)["manifests"]
    assert [(m["digest"], m["annotations"][REF]) for m in manifests] == [
        (str(other.digest()), "keep"),
        (str(new.digest()), "v1"),
    ]
    inner = kit.MemoryIndex([old])
    path.replace_index(inner, match.name("keep"))
    assert [m["mediaType"] for m in _index_json(tmp_path)["manifests"]] == [
        types.OCI_MANIFEST_SCHEMA1,
        types.OCI_IMAGE_INDEX,
    ]
    path.remove_descriptors(match.media_types(types.OCI_IMAGE_INDEX))
    assert len(_index_json(tmp_path)["manifests"]) == 1
    path.remove_descriptors(lambda d: True)
    assert _index_json(tmp_path)["manifests"] == []


def test_garbage_collect(kit: Any, tmp_path: Any) -> None:
    path = layout.write(tmp_path, kit.MemoryIndex([]))
    keep, drop = kit.make_image("keep"), kit.make_image("drop")
    path.append_image(keep, annotations={REF: "keep"})
    path.append_image(drop, annotations={REF: "drop"})
    path.remove_descriptors(match.name("drop"))
    garbage = path.garbage_collect()
    expected = sorted([drop.digest(), drop.config_name(), *(la.digest() for la in drop.layers())])
    assert garbage == expected
    assert os.path.exists(path.blob_path(drop.digest()))  # only reported by default
    assert path.garbage_collect(remove=True) == expected
    assert not os.path.exists(path.blob_path(drop.digest()))
    assert path.garbage_collect() == []
    assert path.image(keep.digest()).layers()[0].compressed().read() == keep.layers()[0].blob


def test_garbage_collect_refuses_unknown_media_types(kit: Any, tmp_path: Any) -> None:
    path = layout.write(tmp_path, kit.MemoryIndex([]))
    image = kit.make_image("a")
    path.write_image(image)
    path.append_descriptor(
        layout.LayoutImage(path._open_blob, image.raw_manifest(), label="x")
        .manifest()
        .config.__class__(media_type="application/x-unknown", size=1, digest=Hash.of(b"?"))
    )
    with pytest.raises(layout.LayoutError, match="unknown media type 'application/x-unknown'"):
        path.garbage_collect(remove=True)
    assert os.path.exists(path.blob_path(image.digest()))


def test_write_blob_skips_existing_and_verifies(kit: Any, tmp_path: Any) -> None:
    import io

    path = layout.write(tmp_path, kit.MemoryIndex([]))
    digest = Hash.of(b"hello")
    path.write_blob(digest, io.BytesIO(b"hello"))
    assert path.bytes(digest) == b"hello"
    path.write_blob(digest, io.BytesIO(b"HELLO"), size=5)  # same size: skipped, not read
    assert path.bytes(digest) == b"hello"
    other = Hash.of(b"other")
    with pytest.raises(layout.InvalidLayoutError, match="digest mismatch"):
        path.write_blob(other, io.BytesIO(b"not other"))
    assert not os.path.exists(path.blob_path(other))
    assert os.listdir(os.path.dirname(path.blob_path(other))) == [digest.hex]  # no temp left
    path.remove_blob(digest)
    path.remove_blob(digest)
    assert not os.path.exists(path.blob_path(digest))


def test_write_blob_from_a_verifying_stream(kit: Any, tmp_path: Any) -> None:
    """A stream that checks the digest itself (a registry's blob) is not hashed twice,
    and its failures are still the layout's, naming the blob."""
    import io

    from containerregistry.verify import VerifyingReader

    path = layout.write(tmp_path, kit.MemoryIndex([]))
    digest = Hash.of(b"hello")
    path.write_blob(digest, VerifyingReader(io.BytesIO(b"hello"), digest=digest, size=5), size=5)
    assert path.bytes(digest) == b"hello"
    other = Hash.of(b"other")
    lying = VerifyingReader(io.BytesIO(b"OTHER"), digest=other, size=5)
    with pytest.raises(layout.InvalidLayoutError, match=f"blob {other}: .*digest mismatch"):
        path.write_blob(other, lying, size=5)
    assert not os.path.exists(path.blob_path(other))
    # A reader checking another size is wrapped: the layout's size check still runs.
    short = VerifyingReader(io.BytesIO(b"other"), digest=other, size=None)
    with pytest.raises(layout.InvalidLayoutError, match="size"):
        path.write_blob(other, short, size=6)


def test_layers_start_largest_first(kit: Any, tmp_path: Any) -> None:
    import random
    import threading

    opened: list[int] = []
    lock = threading.Lock()
    both_started = threading.Barrier(2, timeout=10)

    class Logged(kit.GzipLayer):  # type: ignore[misc,name-defined]
        def compressed(self) -> Any:
            with lock:
                opened.append(self.size())
                first_two = len(opened) <= 2
            if first_two:  # neither worker takes a third layer before both started
                both_started.wait()
            return super().compressed()

    rng = random.Random(7)
    layers = [Logged(f"f{n}", rng.randbytes(n * 3000)) for n in (2, 9, 4, 1, 7)]
    sizes = sorted((layer.size() for layer in layers), reverse=True)
    layout.Layout(tmp_path, jobs=2).write_image(kit.MemoryImage(layers))
    # Two workers: the two largest start first (in manifest order: 2 and 9 would).
    assert set(opened[:2]) == set(sizes[:2])
    assert sorted(opened) == sorted(sizes)


def test_missing_index_json(tmp_path: Any) -> None:
    with pytest.raises(layout.InvalidLayoutError, match=r"no index\.json"):
        layout.from_path(tmp_path)
    with pytest.raises(layout.InvalidLayoutError, match=r"no index\.json"):
        layout.Layout(tmp_path).image_index()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"null", "index manifest", id="null"),
        pytest.param(b"{not json", "index manifest", id="not-json"),
        pytest.param(b'{"manifests": 3}', "manifests", id="wrong-type"),
    ],
)
def test_bad_index_json(tmp_path: Any, content: bytes, message: str) -> None:
    (tmp_path / "index.json").write_bytes(content)
    with pytest.raises(layout.InvalidLayoutError, match=message):
        layout.image_index_from_path(tmp_path)


def _read_all(layer: Any) -> None:
    with layer.compressed() as stream:
        stream.read()


def test_missing_and_corrupt_blobs(kit: Any, tmp_path: Any) -> None:
    image = kit.make_image("a")
    path = layout.write(tmp_path, kit.MemoryIndex([image]))
    layer_digest = image.layers()[0].digest()
    blob = path.blob_path(layer_digest)
    with open(blob, "r+b") as handle:  # same size, different content
        handle.seek(10)
        handle.write(b"\xff")
    read = path.image_index().image(image.digest())
    with pytest.raises(layout.InvalidLayoutError, match=f"{blob}: digest mismatch"):
        _read_all(read.layers()[0])
    os.unlink(blob)
    with pytest.raises(layout.BlobNotFoundError, match=f"blob {layer_digest} not found"):
        read.layers()[0].compressed()
    os.unlink(path.blob_path(image.digest()))
    with pytest.raises(layout.BlobNotFoundError):
        path.image_index().image(image.digest())


def test_two_processes_appending_lose_nothing(kit: Any, tmp_path: Any) -> None:
    layout.write(tmp_path, kit.MemoryIndex([]))
    script = textwrap.dedent(
        """
        import sys
        from containerregistry import layout, types
        from containerregistry.v1 import Descriptor, Hash
        path = layout.Layout(sys.argv[1])
        for i in range(int(sys.argv[3])):
            data = f"{sys.argv[2]}-{i}".encode()
            path.append_descriptor(Descriptor(
                media_type=types.OCI_MANIFEST_SCHEMA1, size=len(data), digest=Hash.of(data),
                annotations={"n": data.decode()}))
        """
    )
    count = 40
    workers = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path), name, str(count)])
        for name in ("first", "second")
    ]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]
    names = sorted(m["annotations"]["n"] for m in _index_json(tmp_path)["manifests"])
    assert names == sorted(f"{w}-{i}" for w in ("first", "second") for i in range(count))
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


class _Endless:
    """Layers that declare 64 MiB and hand out zeros slowly, counting reads; the
    ``signal_at``-th read (if any) sends this process a SIGINT, as a Ctrl-C would."""

    def __init__(self, signal_at: int | None = None) -> None:
        import threading

        self.reads = 0
        self.signal_at = signal_at
        self._lock = threading.Lock()

    def layer(self, seed: bytes) -> Any:
        import io
        import signal
        import time

        from containerregistry.static import Layer as StaticLayer

        endless = self

        class Zeros(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                with endless._lock:
                    endless.reads += 1
                    if endless.reads == endless.signal_at:
                        os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.01)  # a slow network
                buffer[:] = bytes(len(buffer))
                return len(buffer)

        class Layer(StaticLayer):
            def size(self) -> int:
                return 64 << 20

            def compressed(self) -> Any:
                return Zeros()

        return Layer(seed, types.OCI_LAYER)


def _files_under(path: Any) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(path) for f in files]


def test_an_interrupted_write_stops_every_layer_and_keeps_no_part(kit: Any, tmp_path: Any) -> None:
    endless = _Endless(signal_at=4)
    image = kit.MemoryImage([endless.layer(b"a"), endless.layer(b"b")])
    with pytest.raises(KeyboardInterrupt):
        layout.Layout(tmp_path, jobs=4).write_image(image)
    assert endless.reads < 16  # both stopped long before their 64 reads each
    assert _files_under(tmp_path) == []


def test_a_failing_layer_stops_the_others(kit: Any, tmp_path: Any) -> None:
    from containerregistry.static import Layer as StaticLayer

    class Broken(StaticLayer):
        def compressed(self) -> Any:
            raise OSError("connection reset by peer")

    endless = _Endless()
    image = kit.MemoryImage([endless.layer(b"a"), Broken(b"x", types.OCI_LAYER)])
    with pytest.raises(OSError, match="connection reset"):
        layout.Layout(tmp_path, jobs=4).write_image(image)
    assert endless.reads < 16
    assert _files_under(tmp_path) == []


def test_create_writes_what_writing_the_empty_index_writes(kit: Any, tmp_path: Any) -> None:
    from containerregistry import empty

    created = layout.create(tmp_path / "created")
    layout.write(tmp_path / "written", empty.index)
    for name in ("oci-layout", "index.json"):
        assert (tmp_path / "created" / name).read_bytes() == (
            tmp_path / "written" / name
        ).read_bytes()
    assert sorted(os.listdir(tmp_path / "created")) == ["index.json", "oci-layout"]
    image = kit.MemoryImage([kit.GzipLayer("a.txt", b"a")])
    created.append_image(image)
    entries = created.image_index().index_manifest().manifests
    assert [entry.digest for entry in entries] == [image.digest()]
