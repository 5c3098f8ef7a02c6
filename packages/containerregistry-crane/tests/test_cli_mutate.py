"""``crane mutate`` against the embedded registry: config bytes, digests, stdout, errors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from containerregistry import empty, mutate, name, remote, tarball
from containerregistry.archive import TarWriter
from containerregistry.crane._mutate import MutateOptionError, merge_env
from containerregistry.crane.cli import _mutate as mutate_cli
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Config


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def make_app() -> typer.Typer:
    app = build_app("crane")
    if "mutate" not in {command.name for command in app.registered_commands}:
        mutate_cli.register(app)
    return app


def run(*argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(), list(argv))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def seed(registry: str, repo: str, config: Config) -> str:
    image = mutate.config(empty.image, config)
    ref = f"{registry}/{repo}"
    remote.write(name.parse_reference(ref), image)
    return ref


def config_of(ref: str) -> bytes:
    return remote.get(name.parse_reference(ref)).image().raw_config_file()


def test_config_changes_give_crane_bytes(registry: str) -> None:
    ref = seed(
        registry,
        "mutate/config:v1",
        Config(env=("PATH=/bin", "A=1"), cmd=("sh",), labels={"old": "x"}),
    )
    code, out, err = run(
        "mutate", ref, "-l", "new=y", "-e", "A=2", "-e", "B=3", "--entrypoint", "/app,--flag",
        "-u", "nobody", "-w", "/work", "--exposed-ports", "80/tcp,53/udp",
        "--set-platform", "linux/arm64/v8",
    )  # fmt: skip
    assert code == 0, err
    descriptor = remote.get(name.parse_reference(ref))
    assert out == f"{registry}/mutate/config@{descriptor.digest}\n"
    assert descriptor.image().raw_config_file() == (
        b'{"architecture":"arm64","created":"0001-01-01T00:00:00Z","os":"linux",'
        b'"rootfs":{"type":"layers","diff_ids":null},"config":{"Entrypoint":["/app","--flag"],'
        b'"Env":["PATH=/bin","A=2","B=3"],"Labels":{"new":"y","old":"x"},"User":"nobody",'
        b'"WorkingDir":"/work","ExposedPorts":{"53/udp":{},"80/tcp":{}}},"variant":"v8"}'
    )


def test_cmd_with_entrypoint_is_kept(registry: str) -> None:
    ref = seed(registry, "mutate/cmd:v1", Config(cmd=("old",)))
    code, _, err = run("mutate", ref, "--entrypoint", "/bin/sh", "--cmd", "-c,echo hi")
    assert code == 0, err
    config = remote.get(name.parse_reference(ref)).image().config_file().config
    assert config.entrypoint == ("/bin/sh",)
    assert config.cmd == ("-c", "echo hi")


def test_annotations_tag_and_repo(registry: str) -> None:
    ref = seed(registry, "mutate/ann:v1", Config())
    code, out, err = run("mutate", ref, "-a", "k=v", "-t", f"{registry}/mutate/ann:v2")
    assert code == 0, err
    descriptor = remote.get(name.parse_reference(f"{registry}/mutate/ann:v2"))
    assert out == f"{registry}/mutate/ann@{descriptor.digest}\n"
    assert descriptor.image().manifest().annotations == {"k": "v"}
    # v1 is untouched
    assert remote.get(name.parse_reference(ref)).image().manifest().annotations == {}

    code, out, err = run("mutate", ref, "-l", "a=b", "--repo", f"{registry}/mutate/other")
    assert code == 0, err
    digest = out.strip().rpartition("@")[2]
    assert out.startswith(f"{registry}/mutate/other@sha256:")
    assert str(remote.get(name.parse_reference(out.strip())).digest) == digest


def test_digest_ref_pushes_by_new_digest(registry: str) -> None:
    ref = seed(registry, "mutate/bydigest:v1", Config())
    digest = remote.get(name.parse_reference(ref)).digest
    code, out, err = run("mutate", f"{registry}/mutate/bydigest@{digest}", "-l", "a=b")
    assert code == 0, err
    new = out.strip()
    assert new.startswith(f"{registry}/mutate/bydigest@sha256:")
    assert str(digest) not in new
    assert remote.get(name.parse_reference(new)).image().config_file().config.labels == {"a": "b"}
    # the tag still names the original
    assert remote.get(name.parse_reference(ref)).digest == digest


def test_append_and_output(registry: str, tmp_path: Path) -> None:
    ref = seed(registry, "mutate/out:v1", Config())
    buffer = io.BytesIO()
    with TarWriter(buffer) as writer:
        writer.add_file("f", b"data")
    layer = tmp_path / "l.tar"
    layer.write_bytes(buffer.getvalue())
    output = tmp_path / "out.tar"
    code, out, err = run("mutate", ref, "--append", str(layer), "-o", str(output), "-l", "x=y")
    assert code == 0, err
    assert out == ""
    image = tarball.image_from_path(output)
    assert len(image.layers()) == 1
    assert image.config_file().config.labels == {"x": "y"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["-l", "empty="], "Error: parsing label 'empty'", id="empty-label"),
        pytest.param(["-a", "empty="], "Error: parsing annotation 'empty'", id="empty-annotation"),
        pytest.param(
            ["-t", "x/y:z", "--repo", "x/w"],
            "Error: repository can't be set when a tag is specified",
            id="tag-and-repo",
        ),
    ],
)
def test_failures(registry: str, argv: list[str], message: str) -> None:
    ref = seed(registry, "mutate/fail:v1", Config())
    code, out, err = run("mutate", ref, *argv)
    assert (code, out) == (1, "")
    assert err.splitlines()[-1].startswith(message)


def test_annotations_on_an_index_are_refused(registry: str) -> None:
    index = mutate.append_manifests(
        empty.index, mutate.IndexAddendum(mutate.config(empty.image, Config(user="u")))
    )
    ref = f"{registry}/mutate/index:v1"
    remote.write_index(name.parse_reference(ref), index)
    code, _, err = run("mutate", ref, "-a", "k=v")
    assert code == 1
    assert err.startswith("Error: mutating annotations on an index is not yet supported")


@pytest.mark.parametrize(
    ("env", "changes", "windows", "expected"),
    [
        pytest.param(["A=1", "B=2"], [("B", "3")], False, ["A=1", "B=3"], id="replace-in-place"),
        pytest.param(["A=1"], [("z", "1"), ("y", "2")], False, ["A=1", "z=1", "y=2"], id="order"),
        pytest.param([], [("path", "x")], True, ["PATH=x"], id="windows-upper"),
        pytest.param(["A=1"], [("A", "2"), ("A", "3")], False, ["A=3"], id="last-wins"),
    ],
)
def test_merge_env(
    env: list[str], changes: list[tuple[str, str]], windows: bool, expected: list[str]
) -> None:
    assert merge_env(env, changes, windows=windows) == expected


def test_merge_env_rejects_a_broken_entry() -> None:
    with pytest.raises(MutateOptionError, match="has no '='"):
        merge_env(["BROKEN"], [("A", "1")])
