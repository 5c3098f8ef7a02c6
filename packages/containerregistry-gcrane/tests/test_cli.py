"""The gcrane app: crane's commands, gcrane's replacements, a cheap start."""

from __future__ import annotations

import os
import resource
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from containerregistry.crane.cli import global_options
from containerregistry.gcrane import KEYCHAIN
from containerregistry.gcrane.cli import REPLACED, build_app

_HEAVY = ("requests", "google.auth", "google.cloud.storage", "google.cloud")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )


def test_help_names_gcrane_and_its_commands() -> None:
    result = CliRunner().invoke(build_app(), ["--help"])
    assert result.exit_code == 0, result.output
    assert "gcrane is a tool for managing container images, specifically for GCR" in result.output
    for command in ("ls", "gc", "copy", "auth", "pull", "push", "digest", "manifest"):
        assert f"  {command} " in result.output


@pytest.mark.parametrize("command", sorted(REPLACED))
def test_replaced_commands_are_registered_once(command: str) -> None:
    app = build_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names.count(command) == 1


@pytest.mark.parametrize(
    ("argv", "wanted"),
    [
        pytest.param(["ls", "--help"], ["--recursive", "--json", "--format"], id="ls"),
        pytest.param(["gc", "--help"], ["--recursive", "--delete", "--dry-run"], id="gc"),
        pytest.param(["copy", "--help"], ["--recursive", "--jobs"], id="copy"),
        pytest.param(["cp", "--help"], ["--recursive", "--jobs"], id="cp"),
        pytest.param(["auth", "--help"], ["get", "login", "logout", "token"], id="auth"),
    ],
)
def test_gcrane_flags(argv: list[str], wanted: list[str]) -> None:
    result = CliRunner().invoke(build_app(), argv)
    assert result.exit_code == 0, result.output
    for flag in wanted:
        assert flag in result.output
    assert "--full-ref" not in result.output  # gcrane's ls always prints full refs


def _names(app: typer.Typer) -> set[str]:
    return {str(c.name) for c in app.registered_commands} | {
        str(g.name) for g in app.registered_groups
    }


@pytest.mark.parametrize(
    ("argv", "module", "names"),
    [
        pytest.param(["ls", "gcr.io/p"], "gcrane", {"ls"}, id="ls is gcrane's"),
        pytest.param(["--insecure", "cp", "a", "b"], "gcrane", {"copy", "cp"}, id="cp"),
        pytest.param(["gc", "gcr.io/p/a"], "gcrane", {"gc"}, id="gc"),
        pytest.param(["digest", "gcr.io/p/a:v1"], "crane", {"digest"}, id="digest is crane's"),
    ],
)
def test_a_command_line_builds_only_its_commands(
    argv: list[str], module: str, names: set[str]
) -> None:
    app = build_app(argv=argv)
    assert _names(app) == names | {"completion", "help"}  # cobra's two, always there
    commands = [c for c in app.registered_commands if c.name in names and c.callback]
    assert {c.callback.__module__.split(".")[1] for c in commands if c.callback} == {module}


@pytest.mark.parametrize("argv", [["--help"], ["help"], ["dgest", "x"], []])
def test_help_or_an_unknown_command_builds_every_command(argv: list[str]) -> None:
    assert _names(build_app(argv=argv)) == _names(build_app())


def test_every_command_gets_the_gcrane_keychain() -> None:
    app = build_app()
    seen = []

    @app.command("probe")
    def probe(ctx: typer.Context) -> None:
        seen.append(global_options(ctx))

    result = CliRunner().invoke(app, ["probe"])
    assert result.exit_code == 0, result.output
    assert seen[0].keychain is KEYCHAIN


def test_help_loads_no_heavy_modules() -> None:
    out = _run(
        "import sys\n"
        "from containerregistry.gcrane.cli import build_app\n"
        "try:\n"
        "    build_app()(['--help'], prog_name='gcrane')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))\n"
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _cpu_seconds(argv: list[str], runs: int = 5) -> float:
    """The least CPU time (user + system) ``argv`` took over ``runs`` runs.

    CPU time, not wall time: the test machines are shared, and waiting for a core
    is not start-up cost.
    """
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, capture_output=True, env=os.environ, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(times)


def test_help_costs_no_more_than_cranes() -> None:
    """gcrane adds nothing measurable to crane's start: ``gcrane --help`` is within
    50 ms of ``crane --help`` (the 150 ms budget is crane's app plus ours)."""
    crane = _cpu_seconds([sys.executable, "-m", "containerregistry.crane.cli", "--help"])
    gcrane = _cpu_seconds([sys.executable, "-m", "containerregistry.gcrane.cli", "--help"])
    assert gcrane - crane < 0.050, f"gcrane --help {gcrane:.3f} s, crane --help {crane:.3f} s"


def test_quick_help_is_what_typer_prints() -> None:
    """``gcrane --help`` answered without Typer is byte for byte Typer's own help."""
    env = dict(os.environ, COLUMNS="100")
    quick = subprocess.run(
        [sys.executable, "-m", "containerregistry.gcrane.cli", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    through_typer = subprocess.run(
        [
            sys.executable,
            "-c",
            "from containerregistry.crane.cli import run\n"
            "from containerregistry.gcrane.cli import build_app\n"
            "run(build_app(), 'gcrane', ['--help'])",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert quick.stdout == through_typer.stdout
    assert "  gc " in quick.stdout
