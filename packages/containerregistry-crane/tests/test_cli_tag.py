"""``crane tag`` and ``crane delete``: no output, exit codes."""

from __future__ import annotations

from crane_testkit import run

from containerregistry import name, remote


def test_tag_then_delete(host: str) -> None:
    assert run("copy", f"{host}/a/img:v1", f"{host}/t/img:v1")[0] == 0
    digest = remote.get(name.parse_reference(f"{host}/t/img:v1")).digest
    code, out, err = run("tag", f"{host}/t/img:v1", "latest")
    assert (code, out) == (0, b"")
    # As crane: one progress line (Go log prefix, then "<ref>: digest: <d> size: <n>").
    size = remote.get(name.parse_reference(f"{host}/t/img:v1")).size
    assert [line.split(" ", 2)[2] for line in err.splitlines()] == [
        f"{host}/t/img:latest: digest: {digest} size: {size}"
    ]
    repo = name.new_repository(f"{host}/t/img")
    assert remote.list_tags(repo) == ["latest", "v1"]
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
