"""``crane ls`` and ``crane catalog``: one entry per line."""

from __future__ import annotations

from crane_testkit import run

from containerregistry import name, remote


def test_ls(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    for tag in ("v2", f"sha256-{image.digest().hex}"):
        remote.tag(name.new_tag(f"{host}/ls/img:{tag}"), image)
    remote.tag(name.new_tag(f"{host}/ls/img:v1"), image)
    code, out, _ = run("ls", f"{host}/ls/img")
    assert (code, out) == (0, f"sha256-{image.digest().hex}\nv1\nv2\n".encode())
    assert run("ls", "-O", f"{host}/ls/img")[1] == b"v1\nv2\n"
    code, out, _ = run("ls", "--full-ref", "--omit-digest-tags", f"{host}/ls/img")
    assert out == f"{host}/ls/img:v1\n{host}/ls/img:v2\n".encode()


def test_ls_unknown_repository(host: str) -> None:
    code, out, err = run("ls", f"{host}/nope/nothing")
    assert code == 1
    assert out == b""
    assert err.startswith("Error: ")


def test_catalog(host: str) -> None:
    code, out, _ = run("catalog", host)
    assert code == 0
    assert {"a/img", "a/idx"} <= set(out.decode().splitlines())
    code, out, _ = run("catalog", "--full-ref", host)
    assert {f"{host}/a/img", f"{host}/a/idx"} <= set(out.decode().splitlines())
