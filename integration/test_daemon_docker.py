"""containerregistry.daemon against a real Docker daemon, and on to registry:2."""

from __future__ import annotations

import io
import json
import secrets
import subprocess

import pytest

from containerregistry import daemon, random, remote
from containerregistry.archive import TarWriter
from containerregistry.name import parse_reference


def _run(*args: str, stdin: bytes | None = None) -> str:
    result = subprocess.run(args, input=stdin, capture_output=True, timeout=300, check=False)
    assert result.returncode == 0, f"{' '.join(args)} failed: {result.stderr.decode()}"
    return result.stdout.decode()


def _inspect(docker_cli: str, ref: str) -> dict[str, object]:
    data = json.loads(_run(docker_cli, "image", "inspect", ref))
    return dict(data[0])


def test_round_trip_through_the_daemon(docker_cli: str, daemon_repository: str) -> None:
    img = random.image(8192, 3, seed=31)
    reply = daemon.write(f"{daemon_repository}:one", img)
    assert reply == f"Loaded image: {daemon_repository}:one\n"
    assert _inspect(docker_cli, f"{daemon_repository}:one")["Id"] == str(img.config_name())
    for buffer in ("memory", "file", "none"):
        back = daemon.image(f"{daemon_repository}:one", buffer=buffer)  # type: ignore[arg-type]
        assert back.config_name() == img.config_name()
        assert [layer.diff_id() for layer in back.layers()] == [
            layer.diff_id() for layer in img.layers()
        ]
        for layer in back.layers():  # every layer reads back and verifies
            with layer.uncompressed() as stream:
                stream.read()


def test_write_of_an_image_the_daemon_has_only_tags_it(
    docker_cli: str, daemon_repository: str
) -> None:
    img = random.image(1024, 1, seed=32)
    daemon.write(f"{daemon_repository}:one", img)
    assert daemon.write(f"{daemon_repository}:two", img) == ""
    assert _inspect(docker_cli, f"{daemon_repository}:two")["Id"] == str(img.config_name())
    daemon.tag(f"{daemon_repository}:two", f"{daemon_repository}:three")
    assert _inspect(docker_cli, f"{daemon_repository}:three")["Id"] == str(img.config_name())


def test_missing_image_on_a_real_daemon(docker_cli: str) -> None:
    name = f"crtest-daemon-absent-{secrets.token_hex(4)}:1"
    with pytest.raises(daemon.DaemonImageNotFoundError, match=name):
        daemon.image(name)
    with pytest.raises(daemon.DaemonImageNotFoundError, match=name):
        daemon.tag(name, "crtest-daemon-never:1")


def test_daemon_image_pushes_to_registry2_and_pulls_back(
    docker_cli: str, daemon_repository: str, registry2_address: str
) -> None:
    rootfs = io.BytesIO()
    with TarWriter(rootfs) as writer:
        writer.add_directory("etc")
        writer.add_file("etc/motd", b"made by docker import\n")
        writer.add_file("hello.txt", secrets.token_bytes(4096))
    source = f"{daemon_repository}:imported"
    _run(docker_cli, "import", "-", source, stdin=rootfs.getvalue())
    inspected = _inspect(docker_cli, source)

    img = daemon.image(source)
    assert str(img.config_name()) == inspected["Id"]
    target = parse_reference(f"{registry2_address}/{daemon_repository}:pushed", insecure=True)
    remote.write(target, img)
    pulled = remote.image(target)
    assert pulled.config_name() == img.config_name()
    assert pulled.raw_config_file() == img.raw_config_file()
    assert [layer.digest() for layer in pulled.layers()] == [
        layer.digest() for layer in img.layers()
    ]
    assert [layer.diff_id() for layer in pulled.layers()] == [
        layer.diff_id() for layer in img.layers()
    ]
    for mine, theirs in zip(img.layers(), pulled.layers(), strict=True):
        with mine.compressed() as a, theirs.compressed() as b:
            assert a.read() == b.read()
    rootfs_layers = inspected["RootFS"]
    assert isinstance(rootfs_layers, dict)
    assert rootfs_layers["Layers"] == [str(layer.diff_id()) for layer in pulled.layers()]


def test_registry_to_daemon_to_registry_keeps_diff_ids(
    docker_cli: str, daemon_repository: str, registry2_address: str
) -> None:
    first = parse_reference(f"{registry2_address}/{daemon_repository}:first", insecure=True)
    remote.write(first, random.image(2048, 2, seed=33))
    pulled = remote.image(first)
    daemon.write(f"{daemon_repository}:via-daemon", pulled)
    second = parse_reference(f"{registry2_address}/{daemon_repository}:second", insecure=True)
    remote.write(second, daemon.image(f"{daemon_repository}:via-daemon"))
    again = remote.image(second)
    assert again.config_name() == pulled.config_name()
    assert [layer.diff_id() for layer in again.layers()] == [
        layer.diff_id() for layer in pulled.layers()
    ]
