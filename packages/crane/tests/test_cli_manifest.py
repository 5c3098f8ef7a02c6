"""``crane manifest``, ``config`` and ``blob``: raw bytes on stdout, no trailing newline."""

from __future__ import annotations

import hashlib
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


def test_manifest_is_served_bytes(host: str) -> None:
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).raw_manifest()
    assert run("manifest", f"{host}/a/img:v1") == (0, want, "")


def test_manifest_of_an_index_and_of_its_child(host: str) -> None:
    index = remote.index(name.parse_reference(f"{host}/a/plat:v1"))
    assert run("manifest", f"{host}/a/plat:v1")[1] == index.raw_manifest()
    child = index.index_manifest().manifests[1]
    platform = f"{child.platform.os}/{child.platform.architecture}"
    code, out, _ = run("--platform", platform, "manifest", f"{host}/a/plat:v1")
    assert (code, out) == (0, index.image(child.digest).raw_manifest())


def test_config_is_raw_bytes(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    code, out, _ = run("config", f"{host}/a/img:v1")
    assert (code, out) == (0, image.raw_config_file())
    assert not out.endswith(b"\n")


def test_blob_writes_the_verified_blob(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    layer = image.manifest().layers[0]
    code, out, _ = run("blob", f"{host}/a/img@{layer.digest}")
    assert code == 0
    assert len(out) == layer.size
    assert f"sha256:{hashlib.sha256(out).hexdigest()}" == str(layer.digest)


def test_missing_blob_fails(host: str) -> None:
    code, out, err = run("blob", f"{host}/a/img@sha256:{'0' * 64}")
    assert code == 1
    assert out == b""
    assert err.startswith("Error: ")


def test_manifest_of_a_local_layout(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/layout"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", path)[0] == 0
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).raw_manifest()
    assert run("manifest", path) == (0, want, "")
