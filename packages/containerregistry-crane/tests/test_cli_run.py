"""``run`` converts only the commands named on the command line, and nothing shows it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from containerregistry.crane.cli import build_app, reachable


def help_text(argv: list[str], *, trimmed: bool) -> str:
    app = build_app("crane")
    if trimmed:
        app = reachable(app, argv)
    result = CliRunner().invoke(app, argv, prog_name="crane")
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--help"], id="root"),
        pytest.param(["copy", "--help"], id="command"),
        pytest.param(["auth", "--help"], id="group"),
        pytest.param(["auth", "login", "--help"], id="group-command"),
        pytest.param(["--insecure", "index", "list", "--help"], id="after-global-flag"),
    ],
)
def test_help_is_the_same_as_with_every_command_converted(argv: list[str]) -> None:
    assert help_text(argv, trimmed=True) == help_text(argv, trimmed=False)


def test_only_named_commands_keep_their_callbacks() -> None:
    app = build_app("crane")
    trimmed = reachable(app, ["--platform", "linux/amd64", "digest", "x"])
    kept = {
        info.name or info.callback.__name__  # type: ignore[union-attr]
        for original, info in zip(app.registered_commands, trimmed.registered_commands, strict=True)
        if info.callback is original.callback
    }
    assert kept == {"digest"}
    assert app.registered_commands[0].callback is not None  # the app itself is unchanged


def test_the_entry_point_runs_the_real_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() != ""
    assert done.stderr == ""


def test_unknown_command_is_a_usage_error_with_exit_1() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "no-such-command"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "No such command 'no-such-command'" in done.stderr


@pytest.mark.parametrize(
    ("cli", "argv", "threshold"),
    [
        pytest.param("crane", ["digest", "--help"], 1_000_000, id="crane-command"),
        pytest.param("gcrane", ["ls", "--help"], 1_000_000, id="gcrane-command"),
        pytest.param("kcrane", ["digest", "--help"], 1_000_000, id="kcrane-command"),
        pytest.param("crane", ["--help"], 700, id="quick-answer-untouched"),
    ],
)
def test_a_cli_process_collects_garbage_rarely(cli: str, argv: list[str], threshold: int) -> None:
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_threshold()[0], file=sys.stderr))\n"
        f"sys.argv = [{cli!r}, *{argv!r}]\n"
        f"from containerregistry.{cli}.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == str(threshold)
