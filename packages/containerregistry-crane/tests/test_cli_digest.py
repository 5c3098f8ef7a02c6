"""``crane digest`` against the embedded registry: stdout bytes and exit codes."""

from __future__ import annotations

import pytest
from crane_testkit import run

from containerregistry import name, remote


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
    tarball.write_to_file(path, name.new_tag("example.com/xx:1"), image)
    assert run("digest", "--tarball", path) == (0, f"{image.digest()}\n".encode(), "")
    code, _, err = run("digest", "--tarball", path, "--full-ref", "x")
    assert (code, err) == (1, "Error: cannot specify --full-ref with --tarball\n")


def test_no_image_prints_the_help_then_fails(host: str) -> None:
    # As crane: the command's help on stdout, the error on stderr, exit 1.
    code, out, err = run("digest")
    assert (code, out) == (1, run("digest", "--help")[1])
    assert out.startswith(b"Usage: crane digest [OPTIONS] [IMAGE]")
    assert err == "Error: image reference required without --tarball\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
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
