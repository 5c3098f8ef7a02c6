"""``crane append`` against the embedded registry: stdout, digests, media types, exit codes."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest
import typer
from typer.testing import CliRunner

from containerregistry import name, remote, tarball, types
from containerregistry.archive import TarWriter
from containerregistry.compression import Compression, compress
from containerregistry.crane.cli import _append as append_cli
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Hash


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def make_app() -> typer.Typer:
    app = build_app("crane")
    if "append" not in {command.name for command in app.registered_commands}:
        append_cli.register(app)
    return app


def run(*argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(), list(argv), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def layer_tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    writer = TarWriter(out)
    for file_name, data in files.items():
        writer.add_file(file_name, data)
    writer.close()
    return out.getvalue()


def gzipped(data: bytes) -> bytes:
    with compress(io.BytesIO(data)) as stream:
        return stream.read()


def pushed(ref: str) -> remote.Descriptor:
    return remote.get(name.parse_reference(ref))


def test_append_to_empty_base_prints_digest_ref_and_builds_crane_config(
    registry: str, tmp_path: Path
) -> None:
    tar = layer_tar({"hello.txt": b"hello"})
    path = tmp_path / "layer.tar.gz"
    path.write_bytes(gzipped(tar))
    code, out, err = run("append", "-f", str(path), "-t", f"{registry}/append/empty:v1")
    assert code == 0, err
    descriptor = pushed(f"{registry}/append/empty:v1")
    assert out == f"{registry}/append/empty@{descriptor.digest}\n"
    assert "base unspecified, using empty image" in err
    image = descriptor.image()
    manifest = image.manifest()
    assert manifest.media_type == types.DOCKER_MANIFEST_SCHEMA2
    assert [layer.media_type for layer in manifest.layers or ()] == [types.DOCKER_LAYER]
    # The pre-compressed blob is pushed byte for byte, so its digest is crane's.
    assert manifest.layers[0].digest == Hash.of(path.read_bytes())  # type: ignore[index]
    diff_id = Hash.of(tar)
    assert (
        image.raw_config_file()
        == (
            '{"architecture":"","created":"0001-01-01T00:00:00Z",'
            '"history":[{"created":"0001-01-01T00:00:00Z"}],"os":"",'
            f'"rootfs":{{"type":"layers","diff_ids":["{diff_id}"]}},"config":{{}}}}'
        ).encode()
    )


def test_uncompressed_tar_is_gzipped_and_repeated_flag_adds_layers(
    registry: str, tmp_path: Path
) -> None:
    first = tmp_path / "a.tar"
    first.write_bytes(layer_tar({"a": b"1"}))
    second = tmp_path / "b.tar"
    second.write_bytes(layer_tar({"b": b"2"}))
    ref = f"{registry}/append/two:latest"
    code, out, err = run("append", "-f", str(first), "-f", str(second), "-t", ref)
    assert code == 0, err
    image = pushed(ref).image()
    assert out == f"{registry}/append/two@{image.digest()}\n"
    assert image.config_file().rootfs.diff_ids == (
        Hash.of(first.read_bytes()),
        Hash.of(second.read_bytes()),
    )
    for layer in image.layers():
        with layer.compressed() as blob:
            assert blob.read(2) == b"\x1f\x8b"
    assert len(image.config_file().history) == 2


def test_pushed_plain_tars_are_gzipped_while_uploaded_with_the_saved_bytes(
    registry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pushed append streams an uncompressed tar through gzip (no temporary copy);
    the image is the one ``-o`` saves, a compressed layer beside it kept as it is."""
    from containerregistry import stream

    streamed: list[stream.Layer] = []
    original = stream.Layer.compressed

    def compressed(layer: stream.Layer) -> BinaryIO:
        streamed.append(layer)
        return original(layer)

    monkeypatch.setattr(stream.Layer, "compressed", compressed)
    plain = tmp_path / "plain.tar"
    plain.write_bytes(layer_tar({f"f{i}": bytes([i]) * 70_000 for i in range(40)}))
    packed = tmp_path / "packed.tar.gz"
    packed.write_bytes(gzipped(layer_tar({"z": b"zz"})))
    ref = f"{registry}/append/streamed:v1"
    code, out, err = run("append", "-f", str(plain), "-f", str(packed), "-t", ref)
    assert code == 0, err
    assert len(streamed) == 1  # the plain tar only, read once
    saved = tmp_path / "saved.tar"
    code, _, err = run("append", "-f", str(plain), "-f", str(packed), "-t", ref, "-o", str(saved))
    assert code == 0, err
    image = pushed(ref).image()
    assert image.digest() == tarball.image_from_path(saved).digest()
    assert out == f"{registry}/append/streamed@{image.digest()}\n"
    layers = image.manifest().layers or ()
    assert [layer.digest for layer in layers] == [
        Hash.of(gzipped(plain.read_bytes())),
        Hash.of(packed.read_bytes()),
    ]


def test_layer_media_type_follows_an_oci_base_and_zstd(registry: str, tmp_path: Path) -> None:
    tar = layer_tar({"z": b"zstd"})
    with compress(io.BytesIO(tar), algorithm=Compression.ZSTD) as stream:
        zstd_blob = stream.read()
    gz = tmp_path / "l.tar.gz"
    gz.write_bytes(gzipped(tar))
    zst = tmp_path / "l.tar.zst"
    zst.write_bytes(zstd_blob)

    oci_ref = f"{registry}/append/oci:v1"
    code, _, err = run("append", "--oci-empty-base", "-f", str(gz), "-t", oci_ref)
    assert code == 0, err
    manifest = pushed(oci_ref).image().manifest()
    assert manifest.media_type == types.OCI_MANIFEST_SCHEMA1
    assert manifest.config.media_type == types.OCI_CONFIG_JSON
    assert [d.media_type for d in manifest.layers or ()] == [types.OCI_LAYER]

    # On an OCI base the next gzip layer is OCI too; zstd is OCI zstd even on Docker.
    code, _, err = run("append", "-b", oci_ref, "-f", str(gz), "-t", f"{registry}/append/oci:v2")
    assert code == 0, err
    layers = pushed(f"{registry}/append/oci:v2").image().manifest().layers or ()
    assert [d.media_type for d in layers] == [types.OCI_LAYER, types.OCI_LAYER]

    code, _, err = run("append", "-f", str(zst), "-t", f"{registry}/append/zstd:v1")
    assert code == 0, err
    manifest = pushed(f"{registry}/append/zstd:v1").image().manifest()
    assert manifest.media_type == types.DOCKER_MANIFEST_SCHEMA2
    assert [d.media_type for d in manifest.layers or ()] == [types.OCI_LAYER_ZSTD]
    assert manifest.layers[0].digest == Hash.of(zstd_blob)  # type: ignore[index]


def test_base_annotations_name_only_for_a_tag(registry: str, tmp_path: Path) -> None:
    layer = tmp_path / "l.tar"
    layer.write_bytes(layer_tar({"x": b"x"}))
    base_ref = f"{registry}/append/base:v1"
    assert run("append", "-f", str(layer), "-t", base_ref)[0] == 0
    base_digest = pushed(base_ref).digest

    code, _, err = run(
        "append", "-b", base_ref, "-f", str(layer), "-t", f"{registry}/append/child:v1",
        "--set-base-image-annotations",
    )  # fmt: skip
    assert code == 0, err
    annotations = pushed(f"{registry}/append/child:v1").image().manifest().annotations
    assert annotations == {
        "org.opencontainers.image.base.digest": str(base_digest),
        "org.opencontainers.image.base.name": base_ref,
    }

    by_digest = f"{registry}/append/base@{base_digest}"
    code, _, err = run(
        "append", "-b", by_digest, "-f", str(layer), "-t", f"{registry}/append/child:v2",
        "--set-base-image-annotations",
    )  # fmt: skip
    assert code == 0, err
    annotations = pushed(f"{registry}/append/child:v2").image().manifest().annotations
    assert annotations["org.opencontainers.image.base.name"] == ""
    assert annotations["org.opencontainers.image.base.digest"] == str(base_digest)


def test_output_writes_a_tarball_and_prints_nothing(registry: str, tmp_path: Path) -> None:
    layer = tmp_path / "l.tar"
    layer.write_bytes(layer_tar({"out": b"o"}))
    out_path = tmp_path / "image.tar"
    code, out, err = run(
        "append", "-f", str(layer), "-t", "example.com/out:v1", "-o", str(out_path)
    )
    assert code == 0, err
    assert out == ""
    image = tarball.image_from_path(out_path)
    assert image.config_file().rootfs.diff_ids == (Hash.of(layer.read_bytes()),)
    with tarfile.open(out_path) as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    assert manifest[0]["RepoTags"] == ["example.com/out:v1"]


def test_stdin_layer(registry: str) -> None:
    tar = layer_tar({"stdin": b"from stdin"})
    ref = f"{registry}/append/stdin:v1"
    code, out, err = run("append", "-f", "-", "-t", ref, stdin=gzip.compress(tar))
    assert code == 0, err
    image = pushed(ref).image()
    assert out == f"{registry}/append/stdin@{image.digest()}\n"
    assert image.config_file().rootfs.diff_ids == (Hash.of(tar),)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["-b", "example.com/base", "--oci-empty-base", "-f", "x.tar", "-t", "example.com/a"],
            "Error: --oci-empty-base cannot be combined with --base",
            id="oci-empty-base-with-base",
        ),
        pytest.param(
            ["-f", "/nonexistent/layer.tar", "-t", "example.com/a"],
            "Error: No such file or directory: /nonexistent/layer.tar",
            id="missing-layer",
        ),
    ],
)
def test_failures_are_one_error_line(argv: list[str], message: str) -> None:
    code, out, err = run("append", *argv)
    assert code == 1
    assert out == ""
    assert err.splitlines()[-1].startswith(message)


def test_required_flags() -> None:
    code, out, _ = run("append", "-f", "x.tar")
    assert code != 0
    assert out == ""
