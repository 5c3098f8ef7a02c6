"""``crane version``, ``layout gc``, ``auth``, and the CLI's cheap start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def test_auth_token_anonymous(host: str, docker_config: str) -> None:
    code, out, _ = run("auth", "token", f"{host}/a/img")
    assert code == 0
    assert json.loads(out) == {"token": "", "refresh_token": "", "expires_in": 0}
    assert run("auth", "token", "-H", f"{host}/a/img")[1] == b"Authorization: Bearer "
