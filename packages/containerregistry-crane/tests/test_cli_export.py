"""``crane export`` and ``crane flatten``: the flattened filesystem, to files and registries."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from containerregistry import empty, mutate, name, remote, static, tarball, types
from containerregistry.archive import TarWriter
from containerregistry.crane.cli import _export as export_cli
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Image


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def make_app() -> typer.Typer:
    app = build_app("crane")
    if "export" not in {command.name for command in app.registered_commands}:
        export_cli.register(app)
    return app


def run(*argv: str, stdin: bytes | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(make_app(), list(argv), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def layer_tar(build: object) -> bytes:
    out = io.BytesIO()
    writer = TarWriter(out)
    build(writer)  # type: ignore[operator]
    writer.close()
    return out.getvalue()


def two_layer_image() -> Image:
    def lower(w: TarWriter) -> None:
        w.add_directory("etc")
        w.add_file("etc/gone", b"deleted above")
        w.add_file("etc/kept", b"old")
        w.add_directory("opaque")
        w.add_file("opaque/hidden", b"x")

    def upper(w: TarWriter) -> None:
        w.add_file("etc/.wh.gone", b"")
        w.add_file("etc/kept", b"new")
        w.add_directory("opaque")
        w.add_file("opaque/.wh..wh..opq", b"")
        w.add_file("opaque/visible", b"y")
        w.add_symlink("link", "etc/kept")
        w.add_hardlink("hard", "etc/kept")

    blobs = [layer_tar(lower), layer_tar(upper)]
    layers = [tarball.layer_from_opener(lambda data=data: io.BytesIO(data)) for data in blobs]
    return mutate.append_layers(empty.image, *layers)


def members(data: bytes) -> dict[str, tuple[str, bytes]]:
    found: dict[str, tuple[str, bytes]] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive:
            content = b""
            if member.isfile():
                handle = archive.extractfile(member)
                content = handle.read() if handle is not None else b""
            kind = "sym" if member.issym() else "hard" if member.islnk() else member.type.decode()
            found[member.name] = (kind, content if member.isfile() else member.linkname.encode())
    return found


EXPECTED = {
    "etc/kept": ("0", b"new"),
    "opaque": ("5", b""),
    "opaque/visible": ("0", b"y"),
    "link": ("sym", b"etc/kept"),
    "hard": ("hard", b"etc/kept"),
    "etc": ("5", b""),
}


def test_export_to_stdout_applies_whiteouts(registry: str) -> None:
    ref = f"{registry}/export/img:v1"
    remote.write(name.parse_reference(ref), two_layer_image())
    code, out, err = run("export", ref)
    assert code == 0, err
    assert members(out) == EXPECTED


def test_export_to_a_file_and_from_stdin(registry: str, tmp_path: Path) -> None:
    image = two_layer_image()
    saved = tmp_path / "image.tar"
    tarball.write_to_file(saved, name.parse_reference("example.com/xx:v1"), image)
    target = tmp_path / "fs.tar"
    code, out, err = run("export", "-", str(target), stdin=saved.read_bytes())
    assert code == 0, err
    assert out == b""
    assert members(target.read_bytes()) == EXPECTED


def test_export_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    registry: str, tmp_path: Path
) -> None:
    # As Go crane: a device or FIFO (crane export IMG /dev/null) is written, not replaced.
    ref = f"{registry}/export/fifo:v1"
    remote.write(name.parse_reference(ref), two_layer_image())
    fifo = tmp_path / "fs.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as reader:
            received.append(reader.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    code, out, err = run("export", ref, str(fifo))
    reader.join(10)
    assert code == 0, err
    assert out == b""
    assert len(received) == 1
    assert members(received[0]) == EXPECTED
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(os.listdir(tmp_path)) == ["fs.pipe"]


def test_export_of_an_artifact_writes_the_blob(registry: str) -> None:
    blob = b"not a tar at all"
    artifact = mutate.append(
        empty.image, mutate.Addendum(static.Layer(blob, "application/vnd.example.thing"))
    )
    ref = f"{registry}/export/artifact:v1"
    remote.write(name.parse_reference(ref), artifact)
    code, out, err = run("export", ref, "-")
    assert code == 0, err
    assert out == blob


def test_export_failure_is_one_line(registry: str) -> None:
    code, out, err = run("export", f"{registry}/export/missing:v1")
    assert (code, out) == (1, b"")
    assert err.startswith("Error: ")
    assert len(err.splitlines()) == 1


def test_flatten_squashes_layers(registry: str) -> None:
    from containerregistry.crane.cli import _flatten as flatten_cli

    app = build_app("crane")
    if "flatten" not in {command.name for command in app.registered_commands}:
        flatten_cli.register(app)
    image = two_layer_image()
    ref = f"{registry}/flatten/img:v1"
    remote.write(name.parse_reference(ref), image)
    result = CliRunner().invoke(app, ["flatten", ref, "-t", f"{registry}/flatten/img:flat"])
    assert result.exit_code == 0, result.stderr
    flat = remote.get(name.parse_reference(f"{registry}/flatten/img:flat")).image()
    assert result.stdout == f"{registry}/flatten/img@{flat.digest()}\n"
    assert len(flat.layers()) == 1
    history = flat.config_file().history
    assert len(history) == 1
    assert history[0].created_by == f"crane flatten {image.digest()}"
    assert (
        history[0].comment
        == '[{"created":"0001-01-01T00:00:00Z"},{"created":"0001-01-01T00:00:00Z"}]'
    )
    assert flat.manifest().media_type == types.DOCKER_MANIFEST_SCHEMA2
    with flat.layers()[0].uncompressed() as stream:
        assert members(stream.read()) == EXPECTED
    # the tag that was flattened is untouched
    assert remote.get(name.parse_reference(ref)).digest == image.digest()


def test_flatten_index_drops_attestations(registry: str) -> None:
    from containerregistry.crane.cli import _flatten as flatten_cli
    from containerregistry.v1 import Platform

    app = build_app("crane")
    if "flatten" not in {command.name for command in app.registered_commands}:
        flatten_cli.register(app)
    index = mutate.append_manifests(
        empty.index,
        mutate.IndexAddendum(
            two_layer_image(), platform=Platform(os="linux", architecture="amd64")
        ),
        mutate.IndexAddendum(empty.image, platform=Platform.parse("unknown/unknown")),
    )
    ref = f"{registry}/flatten/index:v1"
    remote.write_index(name.parse_reference(ref), index)
    result = CliRunner().invoke(app, ["flatten", ref])
    assert result.exit_code == 0, result.stderr
    flat = remote.get(name.parse_reference(ref))
    assert result.stdout == f"{registry}/flatten/index@{flat.digest}\n"
    children = flat.image_index().index_manifest().manifests or ()
    assert [str(child.platform) for child in children] == ["linux/amd64"]
    assert flat.media_type == types.OCI_IMAGE_INDEX
