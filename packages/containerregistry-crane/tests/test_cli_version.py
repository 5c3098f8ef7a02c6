"""``crane version``, ``layout gc``, ``auth``, and the CLI's cheap start."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from crane_testkit import run

from containerregistry import name, remote


def test_version() -> None:
    from containerregistry.crane import __version__

    code, out, _ = run("version")
    assert code == 0
    assert out.decode().strip() in {__version__, "0.1.0"}


def test_help_imports_no_requests() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from containerregistry.crane.cli import build_app\n"
        "r = CliRunner().invoke(build_app(), ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('requests' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_usage_errors_exit_1_through_main() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "copy", "only-src"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "Error: Missing argument 'DST'." in done.stderr


def test_layout_gc(host: str, tmp_path: object) -> None:
    from containerregistry import layout, match

    path = f"{tmp_path}/layout"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", f"{host}/a/idx:v1", path)[0] == 0
    target = layout.from_path(path)
    index_digest = remote.get(name.parse_reference(f"{host}/a/idx:v1")).digest
    target.remove_descriptors(match.digests(index_digest))
    garbage = target.garbage_collect()
    assert garbage
    code, out, err = run("layout", "gc", path)
    assert (code, out) == (0, b"")
    assert [line.split(" ", 2)[2] for line in err.splitlines()] == [
        f"garbage collecting: {d}" for d in garbage
    ] or err.splitlines() == [f"garbage collecting: {d}" for d in garbage]
    assert layout.from_path(path).garbage_collect() == []


@pytest.fixture
def docker_config(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> str:
    directory = f"{tmp_path}/docker"
    os.makedirs(directory)
    monkeypatch.setenv("DOCKER_CONFIG", directory)
    monkeypatch.delenv("REGISTRY_AUTH_FILE", raising=False)
    monkeypatch.setenv("XDG_RUNTIME_DIR", f"{tmp_path}/runtime")
    return directory


def test_auth_login_get_logout(docker_config: str) -> None:
    code, out, err = run(
        "auth", "login", "reg.example.com", "-u", "me", "--password-stdin", stdin="s<3\n"
    )
    assert (code, out) == (0, b"")
    assert err.endswith(f"logged in via {docker_config}/config.json\n")
    assert run("auth", "get", "reg.example.com") == (
        0,
        b'{"Username":"me","Secret":"s\\u003c3"}\n',
        "",
    )
    assert run("auth", "get", stdin="reg.example.com\n")[1].startswith(b'{"Username":"me"')
    code, _, err = run("auth", "logout", "reg.example.com")
    assert code == 0
    assert err.endswith(f"logged out via {docker_config}/config.json\n")
    assert run("auth", "get", "reg.example.com") == (
        1,
        b"credentials not found in native keychain\n",
        "",
    )


def test_auth_login_needs_credentials(docker_config: str) -> None:
    code, _, err = run("auth", "login", "reg.example.com")
    assert code == 1
    assert err.startswith("Error: ")


def test_auth_token_needs_a_bearer_registry(host: str, docker_config: str) -> None:
    # As crane: a registry that asks for no authentication issues no token.
    for argv in (("auth", "token", f"{host}/a/img"), ("auth", "token", "-H", f"{host}/a/img")):
        code, out, err = run(*argv)
        assert (code, out) == (1, b"")
        assert err == f"Error: {host} asks for no authentication: it issues no tokens\n"


def test_auth_token_from_a_token_registry(docker_config: str) -> None:
    from containerregistry.registry import MemoryStorage, Registry, TokenAuth, make_server

    registry = Registry(storage=MemoryStorage(), auth=TokenAuth({"me": "pw"}))
    server = make_server(registry, address="127.0.0.1:0").start()
    try:
        host = f"127.0.0.1:{server.port}"
        assert run("auth", "login", host, "-u", "me", "-p", "pw")[0] == 0
        code, out, _ = run("auth", "token", "--push", f"{host}/a/img")
        assert code == 0
        issued = json.loads(out)
        assert issued["token"]
        code, out, _ = run("auth", "token", "-H", f"{host}/a/img")
        assert code == 0
        assert out.startswith(b"Authorization: Bearer ")
        assert not out.endswith(b"\n")
    finally:
        server.stop()
