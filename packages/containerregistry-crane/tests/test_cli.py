"""The CLI skeleton: the app factory, global flags, cheap start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from containerregistry.crane.cli import GlobalOptions, build_app, global_options


def _probe_app() -> tuple[typer.Typer, list[GlobalOptions]]:
    app = build_app("crane")
    seen: list[GlobalOptions] = []

    @app.command("probe")
    def probe(ctx: typer.Context) -> None:
        seen.append(global_options(ctx))

    return app, seen


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        pytest.param([], GlobalOptions(), id="defaults"),
        pytest.param(
            ["-v", "--insecure", "--platform", "linux/arm64", "--allow-nondistributable-artifacts"],
            GlobalOptions(
                verbose=True,
                insecure=True,
                platform="linux/arm64",
                allow_nondistributable_artifacts=True,
            ),
            id="all-set",
        ),
    ],
)
def test_global_flags_reach_commands(argv: list[str], expected: GlobalOptions) -> None:
    app, seen = _probe_app()
    result = CliRunner().invoke(app, [*argv, "probe"])
    assert result.exit_code == 0, result.output
    assert seen == [expected]
    with pytest.raises(AttributeError):
        seen[0].verbose = False  # type: ignore[misc]


def test_help_lists_registry() -> None:
    result = CliRunner().invoke(build_app("crane"), ["--help"])
    assert result.exit_code == 0
    assert "registry" in result.output


def test_app_name_is_configurable() -> None:
    result = CliRunner().invoke(build_app("gcrane"), ["--help"])
    assert "gcrane is a tool for managing container images" in result.output


def test_importing_the_cli_loads_nothing_heavy() -> None:
    heavy = ["requests", "docker", "google.auth", "kubernetes", "containerregistry.registry"]
    code = (
        "import sys, containerregistry.crane.cli as c; c.build_app();"
        f"print(','.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )
    assert done.stdout.strip() == ""
