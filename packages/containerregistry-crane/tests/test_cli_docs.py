"""The generated CLI reference is current, and help/version start without heavy imports."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SOURCES = os.pathsep.join(str(p / "src") for p in sorted((ROOT / "packages").iterdir()))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SOURCES
    return env


def test_generated_cli_reference_is_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen-cli-docs"), "--check"],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


_PROBE = """
import json, sys
from containerregistry.crane.cli import main
try:
    main()
except SystemExit as done:
    code = done.code
heavy = ("typer", "requests", "docker", "rich", "containerregistry.remote", "pydantic")
sys.stderr.write(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


@pytest.mark.parametrize("argv", [["--help"], ["version"]], ids=["help", "version"])
def test_help_and_version_skip_heavy_imports(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0
    assert report["loaded"] == []


def _help(columns: int, *, through_typer: bool) -> subprocess.CompletedProcess[str]:
    """``crane --help`` at ``columns`` columns, by ``main`` or by Typer itself."""
    script = (
        "from containerregistry.crane.cli import build_app, run\n"
        "run(build_app('crane'), 'crane', ['--help'])\n"
        if through_typer
        else "import sys\nsys.argv[1:] = ['--help']\n"
        "from containerregistry.crane.cli import main\nmain()\n"
    )
    env = _env()
    env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("columns", [80, 120, 400])
def test_quick_help_is_what_typer_prints(columns: int) -> None:
    quick = _help(columns, through_typer=False)
    typer_help = _help(columns, through_typer=True)
    assert (quick.returncode, quick.stderr) == (0, "")
    assert quick.stdout == typer_help.stdout
    assert quick.stdout.startswith("Usage: crane [OPTIONS] COMMAND [ARGS]...\n")


def test_narrow_terminals_get_typers_wrapping() -> None:
    narrow = _help(60, through_typer=False)
    assert narrow.returncode == 0
    assert narrow.stdout == _help(60, through_typer=True).stdout
    assert narrow.stdout != _help(80, through_typer=False).stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
