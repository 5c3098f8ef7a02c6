"""``crane copy``/``cp``: digests kept, nothing on stdout, progress on stderr, -a, -n, -j."""

from __future__ import annotations

import pytest
from crane_testkit import digest_of, run

from containerregistry import name, random, remote


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
