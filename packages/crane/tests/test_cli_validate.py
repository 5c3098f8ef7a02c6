"""``crane validate``: PASS/FAIL lines on stdout."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from containerregistry import name, random, remote, types
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server


class _RawIndex:
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def raw_manifest(self) -> bytes:
        return self.raw


def _platform_index(address: str) -> None:
    """Push plat:v1, an OCI index of two images for linux/amd64 and linux/arm64."""
    children = []
    for seed, arch in ((3, "amd64"), (4, "arm64")):
        image = random.image(256, 1, seed=seed)
        remote.write(name.parse_reference(f"{address}/a/plat@{image.digest()}"), image)
        children.append(
            {
                "mediaType": image.media_type(),
                "size": image.size(),
                "digest": str(image.digest()),
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    raw = json.dumps(
        {"schemaVersion": 2, "mediaType": types.OCI_IMAGE_INDEX, "manifests": children}
    ).encode()
    remote.put(name.parse_reference(f"{address}/a/plat:v1"), _RawIndex(raw))


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """An embedded registry on loopback: img:v1 (an image), idx:v1 and plat:v1 (indexes)."""
    server = make_server(Registry(), address="127.0.0.1:0").start()
    address = f"127.0.0.1:{server.port}"
    remote.write(name.parse_reference(f"{address}/a/img:v1"), random.image(1024, 2, seed=1))
    remote.write_index(name.parse_reference(f"{address}/a/idx:v1"), random.index(512, 1, 2, seed=2))
    _platform_index(address)
    try:
        yield address
    finally:
        server.stop()


def run(*argv: str, stdin: str | None = None) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(build_app("crane"), list(argv), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def test_validate_remote_and_tarball(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/img.tar"
    assert run("pull", f"{host}/a/img:v1", path)[0] == 0
    code, out, _ = run("validate", "--tarball", path, "--remote", f"{host}/a/idx:v1")
    assert (code, out) == (0, f"PASS: {path}\nPASS: {host}/a/idx:v1\n".encode())
    assert run("validate", "--fast", "--remote", f"{host}/a/img:v1")[1] == (
        f"PASS: {host}/a/img:v1\n".encode()
    )


def test_validate_reports_a_broken_image(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/img.tar"
    assert run("pull", f"{host}/a/img:v1", path)[0] == 0
    with open(path, "r+b") as handle:
        data = bytearray(handle.read())
        # Flip a byte inside the first layer's gzip body (after the config and two headers).
        data[3000] ^= 0xFF
        handle.seek(0)
        handle.write(data)
    code, out, _ = run("validate", "--tarball", path)
    assert code == 0
    assert out.startswith(f"FAIL: {path}: ".encode())


def test_validate_unreadable_input(tmp_path: object) -> None:
    code, out, err = run("validate", "--tarball", f"{tmp_path}/none.tar")
    assert (code, out) == (1, b"")
    assert err.startswith(f"Error: failed to read image {tmp_path}/none.tar")
