"""Global flags after the subcommand (cobra's persistent flags), and a closed stdout."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer.main
from crane_testkit import digest_of, run

from containerregistry import name, random, remote
from containerregistry.crane.cli import build_app
from containerregistry.crane.cli._persistent import hoist


@pytest.fixture(scope="module")
def root() -> object:
    return typer.main.get_command(build_app("crane"))


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param(
            ["digest", "img", "--platform", "linux/arm64"],
            ["--platform", "linux/arm64", "digest", "img"],
            id="value-after-argument",
        ),
        pytest.param(
            ["digest", "img", "--platform=linux/arm64"],
            ["--platform=linux/arm64", "digest", "img"],
            id="attached-value",
        ),
        pytest.param(
            ["digest", "--insecure", "img", "-v"],
            ["--insecure", "-v", "digest", "img"],
            id="flags-around-the-argument",
        ),
        pytest.param(
            ["-q", "digest", "img", "--full-ref", "--insecure"],
            ["-q", "--insecure", "digest", "img", "--full-ref"],
            id="local-flag-stays",
        ),
        pytest.param(
            ["pull", "--platform", "linux/amd64", "img", "out.tar"],
            ["pull", "--platform", "linux/amd64", "img", "out.tar"],
            id="pull-has-its-own-platform",
        ),
        pytest.param(
            ["auth", "get", "reg.example.com", "--insecure"],
            ["--insecure", "auth", "get", "reg.example.com"],
            id="nested-group",
        ),
        pytest.param(
            ["mutate", "img", "-l", "--insecure"],
            ["mutate", "img", "-l", "--insecure"],
            id="a-local-options-value-is-not-a-flag",
        ),
        pytest.param(
            ["digest", "--", "--insecure"],
            ["digest", "--", "--insecure"],
            id="nothing-moves-after-double-dash",
        ),
        pytest.param(["--help"], ["--help"], id="root-only"),
        pytest.param(
            ["--insecure=true", "ls", "repo", "--full-ref=True", "-O=1"],
            ["--insecure", "ls", "repo", "--full-ref", "-O=1"],
            id="cobra-boolean-values-true",
        ),
        pytest.param(
            ["ls", "repo", "--full-ref=false", "--insecure=0"],
            ["ls", "repo"],
            id="cobra-boolean-values-false",
        ),
        pytest.param(
            ["ls", "repo", "--full-ref=maybe"],
            ["ls", "repo", "--full-ref=maybe"],
            id="not-a-boolean-left-to-click",
        ),
        pytest.param(["digest", "--help"], ["digest", "--help"], id="help-stays"),
    ],
)
def test_hoist(root: object, argv: list[str], expected: list[str]) -> None:
    assert hoist(root, argv) == expected


def test_platform_after_the_image_selects_the_child(host: str) -> None:
    index = f"{host}/a/plat:v1"
    before = run("--platform", "linux/arm64", "digest", index)
    after = run("digest", index, "--platform", "linux/arm64")
    assert before == after
    assert before[0] == 0
    assert before[1].decode().strip() != digest_of(index)


def test_insecure_and_verbose_after_the_subcommand(host: str) -> None:
    code, out, err = run("digest", "--insecure", f"{host}/a/img:v1", "-v")
    assert code == 0
    assert out.decode() == digest_of(f"{host}/a/img:v1") + "\n"
    assert "HEAD" in err  # -v logged the requests


def test_boolean_values_on_flags(host: str) -> None:
    assert run("ls", f"{host}/a/img", "--full-ref=true") == run("ls", "--full-ref", f"{host}/a/img")
    assert run("ls", f"{host}/a/img", "--full-ref=false") == run("ls", f"{host}/a/img")


def test_a_closed_stdout_ends_crane_silently(host: str) -> None:
    """``crane blob ... | head -c 10``: no traceback, no Error line, exit 1."""
    image = random.image(1 << 20, 1, seed=9)
    remote.write(name.parse_reference(f"{host}/big/img:v1"), image)
    layer = image.layers()[0].digest()
    process = subprocess.Popen(
        [sys.executable, "-m", "containerregistry.crane.cli", "blob", f"{host}/big/img@{layer}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert len(process.stdout.read(10)) == 10
    process.stdout.close()
    assert process.wait(timeout=60) == 1
    with process.stderr:
        assert process.stderr.read() == b""


def test_help_command_prints_the_commands_help() -> None:
    assert run("help", "digest") == run("digest", "--help")
    assert run("help", "index", "append") == run("index", "append", "--help")
    code, out, _ = run("help")
    assert code == 0
    assert out == run("--help")[1]
    # As cobra: an unknown topic is said on stderr, with the root's usage; exit 0.
    code, out, err = run("help", "nope")
    assert (code, out) == (0, b"")
    assert err.startswith("Unknown help topic [`nope`]\nUsage: crane")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_a_script_for_the_shell(shell: str) -> None:
    code, out, _ = run("completion", shell)
    assert code == 0
    assert b"_CRANE_COMPLETE" in out


def test_the_bash_script_completes_through_crane() -> None:
    """The variables the bash script sets make crane answer with candidates."""
    env = dict(os.environ, _CRANE_COMPLETE="complete_bash", COMP_WORDS="crane dig", COMP_CWORD="1")
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout.split()) == (0, ["digest"])
