"""``crane digest`` against the embedded registry: stdout bytes and exit codes."""

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


def test_digest_prints_the_manifest_digest(host: str) -> None:
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    assert run("digest", f"{host}/a/img:v1") == (0, f"{want}\n".encode(), "")


def test_full_ref(host: str) -> None:
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    code, out, _ = run("digest", "--full-ref", f"{host}/a/img:v1")
    assert (code, out) == (0, f"{host}/a/img@{want}\n".encode())


def test_platform_picks_the_child_of_an_index(host: str) -> None:
    index = remote.index(name.parse_reference(f"{host}/a/plat:v1"))
    child = index.index_manifest().manifests[0]
    platform = f"{child.platform.os}/{child.platform.architecture}"
    code, out, _ = run("--platform", platform, "digest", f"{host}/a/plat:v1")
    assert (code, out) == (0, f"{child.digest}\n".encode())
    code, out, _ = run("digest", f"{host}/a/plat:v1")
    assert out == f"{index.digest()}\n".encode()


def test_tarball(host: str, tmp_path: object) -> None:
    from containerregistry import tarball

    path = f"{tmp_path}/img.tar"
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    tarball.write_to_file(path, name.new_tag("example.com/x:1"), image)
    assert run("digest", "--tarball", path) == (0, f"{image.digest()}\n".encode(), "")
    code, _, err = run("digest", "--tarball", path, "--full-ref", "x")
    assert (code, err) == (1, "Error: cannot specify --full-ref with --tarball\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param([], "image reference required without --tarball", id="no-image"),
        pytest.param(["{host}/a/missing:v1"], "MANIFEST_UNKNOWN", id="unknown-tag"),
        pytest.param(["Bad Name"], "Error: ", id="bad-name"),
    ],
)
def test_errors_are_one_line_and_exit_1(host: str, argv: list[str], message: str) -> None:
    code, out, err = run("digest", *[a.format(host=host) for a in argv])
    assert code == 1
    assert out == b""
    last = err.splitlines()[-1]
    assert last.startswith("Error: ")
    assert message in last
