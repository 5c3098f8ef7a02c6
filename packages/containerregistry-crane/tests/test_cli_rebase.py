"""``crane rebase`` and the hidden ``crane edit`` against the embedded registry."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from containerregistry import empty, mutate, name, remote, tarball
from containerregistry.archive import TarWriter
from containerregistry.crane.cli import _edit as edit_cli
from containerregistry.crane.cli import _rebase as rebase_cli
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Image, Layer


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def make_app() -> typer.Typer:
    app = build_app("crane")
    if "rebase" not in {command.name for command in app.registered_commands}:
        rebase_cli.register(app)
    if "edit" not in {group.name for group in app.registered_groups}:
        edit_cli.register(app)
    return app


def run(*argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(), list(argv), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_file_layer(file_name: str, data: bytes) -> Layer:
    out = io.BytesIO()
    with TarWriter(out) as writer:
        writer.add_file(file_name, data)
    blob = out.getvalue()
    return tarball.layer_from_opener(lambda: io.BytesIO(blob))


def push(ref: str, image: Image) -> str:
    remote.write(name.parse_reference(ref), image)
    return ref


def get(ref: str) -> remote.Descriptor:
    return remote.get(name.parse_reference(ref))


def test_rebase_with_explicit_bases(registry: str) -> None:
    old_base = push(
        f"{registry}/rebase/base:old",
        mutate.append_layers(empty.image, one_file_layer("a", b"old")),
    )
    new_base = push(
        f"{registry}/rebase/base:new",
        mutate.append_layers(empty.image, one_file_layer("a", b"new")),
    )
    app_layer = one_file_layer("app", b"app")
    original = push(
        f"{registry}/rebase/app:v1", mutate.append_layers(get(old_base).image(), app_layer)
    )

    code, out, err = run("rebase", original, "--old_base", old_base, "--new_base", new_base,
                         "-t", f"{registry}/rebase/app:v2")  # fmt: skip
    assert code == 0, err
    rebased = get(f"{registry}/rebase/app:v2")
    assert out == f"{registry}/rebase/app@{rebased.digest}\n"
    assert f"pushing rebased image as {registry}/rebase/app:v2" in err
    image = rebased.image()
    assert [layer.digest() for layer in image.layers()] == [
        get(new_base).image().layers()[0].digest(),
        app_layer.digest(),
    ]
    assert image.manifest().annotations == {
        "org.opencontainers.image.base.digest": str(get(new_base).digest),
        "org.opencontainers.image.base.name": new_base,
    }
    # The annotations let the next rebase find its bases alone; rebasing onto the
    # same base again changes nothing.
    code, out, err = run("rebase", f"{registry}/rebase/app:v2")
    assert code == 0, err
    assert "rebasing was no-op" in err
    assert out == f"{registry}/rebase/app@{rebased.digest}\n"


def test_rebase_without_annotations_fails(registry: str) -> None:
    ref = push(f"{registry}/rebase/plain:v1", empty.image)
    code, out, err = run("rebase", ref)
    assert (code, out) == (1, "")
    assert err.startswith("Error: could not determine new base image from annotations")


def test_rebase_refuses_an_index_without_platform(registry: str) -> None:
    ref = f"{registry}/rebase/index:v1"
    remote.write_index(
        name.parse_reference(ref),
        mutate.append_manifests(empty.index, mutate.IndexAddendum(empty.image)),
    )
    code, _, err = run("rebase", ref, "--new_base", ref, "--old_base", "scratch")
    assert code == 1
    assert err.startswith("Error: rebasing an index is not yet supported")


def test_edit_config_from_stdin(registry: str) -> None:
    ref = push(f"{registry}/edit/config:v1", empty.image)
    new_config = b'{"architecture":"arm64","os":"linux","rootfs":{"type":"layers"},"config":{}}'
    code, out, err = run("edit", "config", ref, stdin=new_config)
    assert code == 0, err
    assert out == f"{ref}\n"
    config = get(ref).image().raw_config_file()
    assert config == (
        b'{"architecture":"arm64","created":"0001-01-01T00:00:00Z","os":"linux",'
        b'"rootfs":{"type":"layers","diff_ids":null},"config":{}}'
    )


def test_edit_manifest_by_digest_pushes_the_new_digest(registry: str) -> None:
    ref = push(f"{registry}/edit/manifest:v1", empty.image)
    descriptor = get(ref)
    edited = descriptor.raw_manifest().replace(b'"schemaVersion":2', b'"schemaVersion":2 ')
    code, out, err = run(
        "edit", "manifest", f"{registry}/edit/manifest@{descriptor.digest}", stdin=edited
    )
    assert code == 0, err
    from containerregistry.v1 import Hash

    expected = f"{registry}/edit/manifest@{Hash.of(edited)}"
    assert out == f"{expected}\n"
    assert get(expected).raw_manifest() == edited


def test_edit_fs_adds_one_file_layer(registry: str) -> None:
    ref = push(f"{registry}/edit/fs:v1", empty.image)
    code, out, err = run(
        "edit", "fs", ref, "-f", "/etc/motd", "-t", f"{registry}/edit/fs:v2", stdin=b"hi\n"
    )
    assert code == 0, err
    assert out == f"{registry}/edit/fs:v2\n"
    image = get(f"{registry}/edit/fs:v2").image()
    (layer,) = image.layers()
    import tarfile

    with layer.uncompressed() as stream, tarfile.open(fileobj=stream, mode="r|") as archive:
        member = next(iter(archive))
        assert (member.name, member.mode, member.size) == ("/etc/motd", 0o555, 3)
    history = image.config_file().history
    assert history[-1].author == "crane"
