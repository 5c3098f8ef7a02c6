"""``crane validate``: PASS/FAIL lines on stdout."""

from __future__ import annotations

from crane_testkit import run


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
    code, out, err = run("validate", "--tarball", path, "--remote", f"{host}/a/img:v1")
    # As crane: FAIL on stdout, exit 1, and the remote image is not looked at.
    assert code == 1
    assert out.startswith(f"FAIL: {path}: ".encode())
    assert b"PASS" not in out
    assert err.startswith(f"Error: {path}: ")


def test_validate_unreadable_input(tmp_path: object) -> None:
    code, out, err = run("validate", "--tarball", f"{tmp_path}/none.tar")
    assert (code, out) == (1, b"")
    assert err.startswith(f"Error: failed to read image {tmp_path}/none.tar")
