"""extract: the flattened filesystem, with whiteouts, opaque dirs, links and unsafe names."""

from __future__ import annotations

import io
import tarfile
import threading
from typing import Any

import pytest

from containerregistry import empty, mutate, static, types
from containerregistry.archive import TarWriter
from containerregistry.v1 import Hash


def _image(kit: Any, *layers: list[tuple[Any, ...]]) -> Any:
    built = [
        static.Layer(kit.build_tar(entries), types.DOCKER_UNCOMPRESSED_LAYER) for entries in layers
    ]
    return mutate.append_layers(empty.image, *built)


def _listing(stream: Any) -> list[tuple[str, str, bytes | str]]:
    """Return (name, kind, content-or-target) for each entry of the tar."""
    result: list[tuple[str, str, bytes | str]] = []
    with tarfile.open(fileobj=io.BytesIO(stream.read()), mode="r:") as archive:
        for info in archive:
            if info.isreg():
                handle = archive.extractfile(info)
                assert handle is not None
                result.append((info.name, "file", handle.read()))
            elif info.isdir():
                result.append((info.name, "dir", ""))
            elif info.issym():
                result.append((info.name, "symlink", info.linkname))
            elif info.islnk():
                result.append((info.name, "hardlink", info.linkname))
    return result


CASES = [
    pytest.param(
        [[("file", "a", b"lower")], [("file", "a", b"upper")]],
        [("a", "file", b"upper")],
        id="overwritten-file-top-wins",
    ),
    pytest.param(
        [
            [("dir", "d/"), ("file", "d/x", b"x"), ("file", "keep", b"k")],
            [("file", "d/.wh.x", b"")],
        ],
        [("d", "dir", ""), ("keep", "file", b"k")],
        id="whiteout-of-a-file",
    ),
    pytest.param(
        [[("dir", "d/"), ("file", "d/x", b"x")], [("file", ".wh.d", b"")]],
        [],
        id="whiteout-of-a-directory",
    ),
    pytest.param(
        [
            [("dir", "d/"), ("file", "d/old", b"old"), ("file", "e", b"e")],
            [("dir", "d/"), ("file", "d/.wh..wh..opq", b""), ("file", "d/new", b"new")],
        ],
        [("d", "dir", ""), ("d/new", "file", b"new"), ("e", "file", b"e")],
        id="opaque-dir-hides-lower-children",
    ),
    pytest.param(
        [
            [("dir", "d/"), ("file", "d/old", b"old")],
            [("file", "d/.wh..wh..opq", b""), ("dir", "d/"), ("file", "d/new", b"new")],
        ],
        [("d", "dir", ""), ("d/new", "file", b"new")],
        id="opaque-marker-first-keeps-same-layer-entries",
    ),
    pytest.param(
        [[("dir", "d/"), ("file", "d/x", b"x")], [("file", "d", b"now a file")]],
        [("d", "file", b"now a file")],
        id="file-replaces-directory",
    ),
    pytest.param(
        [[("file", "./a", b"1"), ("dir", "./b/")], [("file", "a", b"2")]],
        [("a", "file", b"2"), ("b", "dir", "")],
        id="dot-slash-names-cleaned",
    ),
    pytest.param(
        [[("file", "data", b"d"), ("hardlink", "link", "data")]],
        [("data", "file", b"d"), ("link", "hardlink", "data")],
        id="hardlink-kept",
    ),
    pytest.param(
        [[("symlink", "usr/bin/sh", "/bin/bash"), ("symlink", "lib/ld", "../usr/lib/ld.so")]],
        [("usr/bin/sh", "symlink", "/bin/bash"), ("lib/ld", "symlink", "../usr/lib/ld.so")],
        id="absolute-and-inside-relative-symlinks-kept",
    ),
    pytest.param(
        [[("symlink", "evil", "../../etc/passwd"), ("file", "ok", b"ok")]],
        [("ok", "file", b"ok")],
        id="escaping-symlink-dropped",
    ),
    pytest.param(
        [[("file", "a", b"a"), ("hardlink", "d/evil", "../outside"), ("hardlink", "good", "a")]],
        [("a", "file", b"a"), ("good", "hardlink", "a")],
        id="escaping-hardlink-dropped",
    ),
    pytest.param(
        [
            [("file", "a", b"old"), ("hardlink", "link", "a"), ("hardlink", "link2", "a")],
            [("file", "a", b"new")],
        ],
        [("a", "file", b"new"), ("link", "file", b"old"), ("link2", "hardlink", "link")],
        id="hardlink-to-a-replaced-file-keeps-the-old-content",
    ),
    pytest.param(
        [
            [("file", "a", b"old"), ("hardlink", "link", "a")],
            [("file", ".wh.a", b"")],
        ],
        [("link", "file", b"old")],
        id="hardlink-to-a-deleted-file-keeps-the-content",
    ),
    # The root is written once, as "." (crane v0.21.9 does; checked by hand with
    # its export of layers that start with "./", as Alpine's and registry:2's do).
    pytest.param(
        [[("dir", "./"), ("file", "a", b"a")]],
        [(".", "dir", ""), ("a", "file", b"a")],
        id="root-entry-written-as-dot",
    ),
    pytest.param(
        [
            [("dir", "./"), ("dir", "./etc/"), ("file", "./etc/x", b"x")],
            [("dir", "."), ("file", "b", b"b")],
        ],
        [(".", "dir", ""), ("b", "file", b"b"), ("etc", "dir", ""), ("etc/x", "file", b"x")],
        id="root-entry-of-the-top-layer-wins",
    ),
]


@pytest.mark.parametrize(("layers", "want"), CASES)
def test_flatten(kit: Any, layers: list[list[tuple[Any, ...]]], want: list[Any]) -> None:
    with mutate.extract(_image(kit, *layers)) as stream:
        flat = stream.read()
    assert _listing(io.BytesIO(flat)) == want
    # extract_to writes the same bytes on the calling thread.
    written = io.BytesIO()
    mutate.extract_to(_image(kit, *layers), written)
    assert written.getvalue() == flat


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("../escape", id="dotdot-prefix"),
        pytest.param("a/../../escape", id="dotdot-inside"),
        pytest.param("..\\..\\tmp\\x", id="backslash-dotdot"),
        pytest.param("C:\\Windows\\x", id="drive"),
        pytest.param("\\rooted", id="backslash-rooted"),
    ],
)
def test_unsafe_names_are_rejected(kit: Any, name: str) -> None:
    image = _image(kit, [("file", "fine", b"f"), ("file", name, b"x")])
    with (
        mutate.extract(image) as stream,
        pytest.raises(mutate.UnsafePathError, match="unsafe tar path"),
    ):
        stream.read()


def test_extract_to_raises_what_extract_does(kit: Any) -> None:
    unsafe = _image(kit, [("file", "fine", b"f"), ("file", "../escape", b"x")])
    with pytest.raises(mutate.UnsafePathError, match=r"unsafe tar path '\.\./escape'"):
        mutate.extract_to(unsafe, io.BytesIO())
    broken = mutate.append_layers(empty.image, _TrackingLayer(b"not a tar at all" * 64))
    with pytest.raises(mutate.MutateError, match=r"^flattening the image failed: "):
        mutate.extract_to(broken, io.BytesIO())


def test_entries_are_pax_and_times_kept(kit: Any) -> None:
    import decimal

    from containerregistry.archive import TarFormat, TarHeader, TarWriter

    buffer = io.BytesIO()
    writer = TarWriter(buffer)
    writer.add(
        TarHeader(name="f", size=1, mode=0o600, mtime=decimal.Decimal("1.5"), format=TarFormat.PAX),
        io.BytesIO(b"z"),
    )
    writer.close()
    image = mutate.append_layers(
        empty.image, static.Layer(buffer.getvalue(), types.DOCKER_UNCOMPRESSED_LAYER)
    )
    data = mutate.extract(image).read()
    # The same entry written again: the flattened tar of one layer equals it.
    assert data == buffer.getvalue()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        info = archive.getmember("f")
    assert info.pax_headers["mtime"] == "1.5"
    assert info.mode == 0o600


def test_empty_image_gives_empty_archive() -> None:
    data = mutate.extract(empty.image).read()
    assert data == bytes(1024)


def test_every_layer_is_drained_and_verified(kit: Any) -> None:
    tar = kit.build_tar([("file", "a", b"a")]) + bytes(4096)  # padding after the end blocks
    layer = _TrackingLayer(tar)
    image = mutate.append_layers(empty.image, layer)
    mutate.extract(image).read()
    assert layer.read_to_end


def test_big_file_streams_in_pieces(kit: Any) -> None:
    size = 3 << 20
    tar = kit.build_tar([("file", "big", bytes(size))])
    image = mutate.append_layers(empty.image, static.Layer(tar, types.DOCKER_UNCOMPRESSED_LAYER))
    stream = mutate.extract(image)
    first = stream.read(1000)
    assert first[:3] == b"big"
    rest = stream.read()
    assert len(first) + len(rest) == len(tar)
    assert Hash.of(first + rest) == Hash.of(tar)


def test_close_early_stops_the_writer(kit: Any) -> None:
    tar = kit.build_tar([("file", "big", bytes(8 << 20))])
    image = mutate.append_layers(empty.image, static.Layer(tar, types.DOCKER_UNCOMPRESSED_LAYER))
    stream = mutate.extract(image)
    stream.read(10)
    stream.close()
    assert stream.closed


def test_nothing_read_before_the_stream_is(kit: Any) -> None:
    layer = _TrackingLayer(kit.build_tar([("file", "a", b"a")]))
    image = mutate.append_layers(empty.image, layer)
    stream = mutate.extract(image)
    assert not layer.opened
    stream.read()
    assert layer.opened


class _TrackingLayer(static.Layer):
    def __init__(self, tar: bytes) -> None:
        super().__init__(tar, types.DOCKER_UNCOMPRESSED_LAYER)
        self.opened = False
        self.read_to_end = False

    def uncompressed(self) -> Any:
        self.opened = True
        outer = self
        base = super().uncompressed()

        class Reader(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                data = base.read(len(buffer))
                if not data:
                    outer.read_to_end = True
                buffer[: len(data)] = data
                return len(data)

        return io.BufferedReader(Reader())


def test_orphaned_hardlink_takes_the_targets_header(kit: Any) -> None:
    """A link shares its target's inode: mode and owner come from the target as it was."""
    lower = io.BytesIO()
    writer = TarWriter(lower)
    writer.add_file("a", b"old", mode=0o600, uid=7)
    writer.add_hardlink("link", "a", mode=0o777)
    writer.close()
    upper = kit.build_tar([("file", "a", b"new")])
    image = mutate.append_layers(
        empty.image,
        static.Layer(lower.getvalue(), types.DOCKER_UNCOMPRESSED_LAYER),
        static.Layer(upper, types.DOCKER_UNCOMPRESSED_LAYER),
    )
    with tarfile.open(fileobj=io.BytesIO(mutate.extract(image).read()), mode="r:") as archive:
        members = {info.name: info for info in archive}
    assert (members["link"].isreg(), members["link"].mode, members["link"].uid) == (True, 0o600, 7)
    assert (members["a"].mode, members["a"].uid) == (0o644, 0)


class _GatedLayer(static.Layer):
    """A layer whose stream runs ``before_read`` on its first read, and records close."""

    def __init__(self, tar: bytes, before_read: Any = None, error: Exception | None = None):
        super().__init__(tar, types.DOCKER_UNCOMPRESSED_LAYER)
        self.before_read, self.error = before_read, error
        self.opened = threading.Event()
        self.closed = False

    def uncompressed(self) -> Any:
        self.opened.set()
        outer, base = self, super().uncompressed()

        class Reader(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def readinto(self, buffer: Any) -> int:
                if outer.before_read is not None:
                    outer.before_read()
                if outer.error is not None:
                    raise outer.error
                data = base.read(len(buffer))
                buffer[: len(data)] = data
                return len(data)

            def close(self) -> None:
                outer.closed = True
                super().close()

        return Reader()


def test_the_layer_below_is_opened_while_the_top_one_is_read(kit: Any) -> None:
    lower = _GatedLayer(kit.build_tar([("file", "a", b"lower")]))
    seen: list[bool] = []
    top = _GatedLayer(
        kit.build_tar([("file", "b", b"top")]),
        before_read=lambda: seen.append(lower.opened.wait(10)),
    )
    image = mutate.append_layers(empty.image, lower, top)
    listing = _listing(mutate.extract(image))
    assert seen[:1] == [True]  # the lower layer was opened before the top one was read
    assert [entry[0] for entry in listing] == ["b", "a"]


def test_a_failing_top_layer_stops_the_read_ahead_below(kit: Any) -> None:
    lower = _GatedLayer(kit.build_tar([("file", "a", b"lower")]))
    top = _GatedLayer(
        kit.build_tar([("file", "b", b"top")]),
        before_read=lambda: lower.opened.wait(10),
        error=OSError("connection reset"),
    )
    image = mutate.append_layers(empty.image, lower, top)
    with pytest.raises(mutate.MutateError, match="connection reset"):
        mutate.extract(image).read()
    assert lower.closed
    assert not [t for t in threading.enumerate() if t.name == "mutate-read-ahead"]
