"""``crane append`` onto a Windows base: the layer moves under ``Files/`` as crane's does."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from containerregistry import crane, empty, mutate, name, random, remote, types
from containerregistry.archive import TarHeader, TarWriter
from containerregistry.crane._windows import USERS_SECURITY_DESCRIPTOR
from containerregistry.crane.cli import build_app
from containerregistry.v1 import Image, Platform

RECORD = "MSWINDOWS.rawsd"


def _on(os_name: str, base: Image | None = None) -> Image:
    image = base if base is not None else random.image(256, 1, seed=3)
    config = image.config_file()
    return mutate.config_file(image, dataclasses.replace(config, os=os_name))


def _layer_tar(path: Path) -> Path:
    out = io.BytesIO()
    writer = TarWriter(out)
    writer.add(TarHeader(name="bin/", typeflag=tarfile.DIRTYPE, mode=0o755))
    writer.add_file("bin/app.exe", b"MZ\x90\x00program")
    writer.add(TarHeader(name="./etc/conf", size=2, mode=0o644, mtime=7), io.BytesIO(b"on"))
    writer.add(TarHeader(name="lib", typeflag=tarfile.SYMTYPE, linkname="bin"))
    writer.close()
    path.write_bytes(out.getvalue())
    return path


def _entries(image: Image) -> list[tarfile.TarInfo]:
    with image.layers()[-1].uncompressed() as stream:
        data = stream.read()
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return archive.getmembers()


def test_windows_base_moves_the_layer_under_files(tmp_path: Path) -> None:
    image = crane.append(_on("windows"), _layer_tar(tmp_path / "layer.tar"))
    entries = _entries(image)
    assert [(e.name, e.type) for e in entries] == [
        ("Files", tarfile.DIRTYPE),
        ("Hives", tarfile.DIRTYPE),
        ("Files/bin", tarfile.DIRTYPE),
        ("Files/bin/app.exe", tarfile.REGTYPE),
        ("Files/etc/conf", tarfile.REGTYPE),
        ("Files/lib", tarfile.SYMTYPE),
    ]
    roots, moved = entries[:2], entries[2:]
    assert all(e.mode == 0o555 and RECORD not in e.pax_headers for e in roots)
    assert all(e.pax_headers[RECORD] == USERS_SECURITY_DESCRIPTOR for e in moved)
    assert (moved[2].mode, moved[2].mtime, moved[3].linkname) == (0o644, 7, "bin")
    layer = image.layers()[-1]
    with layer.compressed() as blob:
        compressed = blob.read()
    with layer.uncompressed() as stream:
        tar = stream.read()
    assert gzip.decompress(compressed) == tar
    assert layer.digest().hex == hashlib.sha256(compressed).hexdigest()
    assert image.config_file().rootfs.diff_ids[-1] == layer.diff_id()
    assert image.manifest().layers[-1].media_type == types.DOCKER_LAYER


def test_linux_base_keeps_the_layer_as_it_is(tmp_path: Path) -> None:
    path = _layer_tar(tmp_path / "layer.tar")
    image = crane.append(_on("linux"), path)
    with image.layers()[-1].uncompressed() as stream:
        assert stream.read() == path.read_bytes()


def test_a_layer_already_under_files_is_refused(tmp_path: Path) -> None:
    out = io.BytesIO()
    writer = TarWriter(out)
    writer.add_file("Files/app.exe", b"MZ")
    writer.close()
    path = tmp_path / "windows.tar"
    path.write_bytes(out.getvalue())
    with pytest.raises(crane.InputError, match=r"'Files/app.exe' is already under Files/"):
        crane.append(_on("windows"), path)


def test_cli_append_to_a_windows_image_and_to_each_child_of_an_index(
    host: str, tmp_path: Path
) -> None:
    registry = host
    path = _layer_tar(tmp_path / "layer.tar")
    windows, linux = _on("windows"), _on("linux", random.image(256, 1, seed=4))
    remote.write(name.parse_reference(f"{registry}/win/base:v1"), windows)
    result = CliRunner().invoke(
        build_app("crane"),
        ["append", "-b", f"{registry}/win/base:v1", "-f", str(path), "-t", f"{registry}/win/app"],
    )
    assert result.exit_code == 0, result.output
    pushed = remote.image(name.parse_reference(f"{registry}/win/app"))
    assert result.stdout.strip().endswith(str(pushed.digest()))
    assert [e.name for e in _entries(pushed)][:3] == ["Files", "Hives", "Files/bin"]

    index = mutate.append_manifests(
        empty.index,
        mutate.IndexAddendum(windows, platform=Platform(os="windows", architecture="amd64")),
        mutate.IndexAddendum(linux, platform=Platform(os="linux", architecture="amd64")),
    )
    remote.write_index(name.parse_reference(f"{registry}/mixed/base:v1"), index)
    result = CliRunner().invoke(
        build_app("crane"),
        [
            "append",
            "--all-platforms",
            "-b",
            f"{registry}/mixed/base:v1",
            "-f",
            str(path),
            "-t",
            f"{registry}/mixed/app:v1",
        ],
    )
    assert result.exit_code == 0, result.output
    children = remote.index(name.parse_reference(f"{registry}/mixed/app:v1")).index_manifest()
    by_os = {
        child.platform.os: remote.image(
            name.parse_reference(f"{registry}/mixed/app@{child.digest}")
        )
        for child in children.manifests or ()
        if child.platform is not None
    }
    assert [e.name for e in _entries(by_os["windows"])][:2] == ["Files", "Hives"]
    assert next(e.name for e in _entries(by_os["linux"])) == "bin"
