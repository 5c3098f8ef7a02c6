"""``crane copy``/``cp``: digests kept, nothing on stdout, progress on stderr, -a, -n, -j."""

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


def digest_of(ref: str) -> str:
    return str(remote.get(name.parse_reference(ref)).digest)


@pytest.mark.parametrize("command", ["copy", "cp"])
def test_copy_keeps_the_digest(host: str, command: str) -> None:
    code, out, err = run(command, f"{host}/a/idx:v1", f"{host}/copy-{command}/idx:v9")
    assert (code, out) == (0, b"")
    assert f"Copying from {host}/a/idx:v1 to {host}/copy-{command}/idx:v9" in err
    assert digest_of(f"{host}/copy-{command}/idx:v9") == digest_of(f"{host}/a/idx:v1")


def test_platform_copies_one_child_image(host: str) -> None:
    index = remote.index(name.parse_reference(f"{host}/a/plat:v1"))
    child = index.index_manifest().manifests[0]
    platform = f"{child.platform.os}/{child.platform.architecture}"
    assert run("--platform", platform, "copy", f"{host}/a/plat:v1", f"{host}/one/img:x")[0] == 0
    assert digest_of(f"{host}/one/img:x") == str(child.digest)


def test_no_clobber(host: str) -> None:
    assert run("copy", f"{host}/a/img:v1", f"{host}/nc/img:v1")[0] == 0
    code, out, err = run("copy", "-n", f"{host}/a/idx:v1", f"{host}/nc/img:v1")
    want = digest_of(f"{host}/a/img:v1")
    assert (code, out) == (1, b"")
    assert err == f"Error: refusing to clobber existing tag {host}/nc/img:v1@{want}\n"
    assert run("copy", "--no-clobber", f"{host}/a/img:v1", f"{host}/nc/img:fresh")[0] == 0


def test_all_tags(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    for tag in ("t1", "t2", "t3"):
        remote.tag(name.new_tag(f"{host}/src/all:{tag}"), image)
    other = random.image(256, 1, seed=9)
    remote.write(name.parse_reference(f"{host}/dst/all:t1"), other)
    code, out, _ = run("copy", "-a", "-n", "-j", "2", f"{host}/src/all", f"{host}/dst/all")
    assert (code, out) == (0, b"")
    assert remote.list_tags(name.new_repository(f"{host}/dst/all")) == ["t1", "t2", "t3"]
    assert digest_of(f"{host}/dst/all:t1") == str(other.digest())
    assert run("cp", "--all-tags", f"{host}/src/all", f"{host}/dst/all")[0] == 0
    assert digest_of(f"{host}/dst/all:t1") == str(image.digest())


def test_missing_source(host: str) -> None:
    code, out, err = run("copy", f"{host}/a/none:v1", f"{host}/b/none:v1")
    assert code == 1
    assert out == b""
    assert err.splitlines()[-1].startswith("Error: ")
