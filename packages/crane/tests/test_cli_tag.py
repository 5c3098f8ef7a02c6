"""``crane tag`` and ``crane delete``: no output, exit codes."""

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


def test_tag_then_delete(host: str) -> None:
    assert run("copy", f"{host}/a/img:v1", f"{host}/t/img:v1")[0] == 0
    assert run("tag", f"{host}/t/img:v1", "latest") == (0, b"", "")
    repo = name.new_repository(f"{host}/t/img")
    assert remote.list_tags(repo) == ["latest", "v1"]
    digest = remote.get(name.parse_reference(f"{host}/t/img:v1")).digest
    assert run("delete", f"{host}/t/img@{digest}") == (0, b"", "")
    code, _, err = run("manifest", f"{host}/t/img@{digest}")
    assert code == 1
    assert err.startswith("Error: ")


def test_tag_unknown_image(host: str) -> None:
    code, out, err = run("tag", f"{host}/t/none:v1", "x")
    assert code == 1
    assert out == b""
    assert err.startswith("Error: ")


def test_delete_unknown(host: str) -> None:
    code, _, err = run("delete", f"{host}/t/none@sha256:{'1' * 64}")
    assert code == 1
    assert err.startswith("Error: ")
