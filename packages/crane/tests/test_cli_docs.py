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
heavy = ("requests", "docker", "rich", "containerregistry.remote", "pydantic")
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
    # pydantic: typer 0.29 imports it to coerce any non-bool parameter; reported upstream.
    assert [m for m in report["loaded"] if m != "pydantic"] == []
