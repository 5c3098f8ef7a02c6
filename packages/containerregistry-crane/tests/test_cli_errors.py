"""Error wording that is the CLI's own: flags by their names, not the Python API's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from crane_testkit import run

from containerregistry import name, remote


def test_no_matching_platform_names_the_flag(host: str) -> None:
    code, out, err = run("manifest", "--platform", "linux/s390x", f"{host}/a/plat:v1")
    assert (code, out) == (1, b"")
    assert err == (
        f"Error: no child of {host}/a/plat:v1 matches platform linux/s390x "
        "(it has: linux/amd64, linux/arm64); pass --platform with one of those\n"
    )


def test_the_python_api_names_its_argument(host: str) -> None:
    descriptor = remote.get(name.parse_reference(f"{host}/a/plat:v1"), platform="linux/s390x")
    with pytest.raises(remote.PlatformNotFoundError) as info:
        descriptor.image()
    assert str(info.value).endswith("; pass platform= with one of those")


def _crane(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run crane as a process: exit codes and streams exactly as a user gets them."""
    command = [sys.executable, "-m", "containerregistry.crane.cli", *argv]
    return subprocess.run(command, capture_output=True, check=False, timeout=60)


@pytest.mark.parametrize(
    ("group", "code", "help_on_stdout"),
    [
        pytest.param((), 0, False, id="root-usage-on-stderr"),
        pytest.param(("--insecure",), 0, False, id="root-flags-only"),
        pytest.param(("auth",), 0, False, id="auth-usage-on-stderr"),
        pytest.param(("registry",), 0, True, id="registry-help-on-stdout"),
        pytest.param(("layout",), 0, True, id="layout-help-on-stdout"),
        pytest.param(("completion",), 0, True, id="completion-help-on-stdout"),
        pytest.param(("index",), 1, False, id="index-wants-an-argument"),
        pytest.param(("edit",), 1, False, id="edit-wants-an-argument"),
    ],
)
def test_a_group_without_subcommand_answers_as_crane(
    group: tuple[str, ...], code: int, help_on_stdout: bool
) -> None:
    done = _crane(*group)
    assert done.returncode == code
    command = [word for word in group if not word.startswith("-")]
    usage = f"Usage: crane {' '.join(command)}".rstrip().encode()
    if help_on_stdout:
        assert done.stdout == _crane(*command, "--help").stdout
        assert done.stdout.startswith(usage)
    else:
        assert done.stdout == b""
        assert done.stderr.startswith(usage)


def test_help_on_an_unknown_topic_is_not_a_failure() -> None:
    done = _crane("help", "bogus")
    assert (done.returncode, done.stdout) == (0, b"")
    assert done.stderr.startswith(b"Unknown help topic [`bogus`]\nUsage: crane [OPTIONS]")
    # Words after a known command are ignored, as cobra does.
    assert _crane("help", "index", "bogus").stdout == _crane("index", "--help").stdout


def test_logging_out_when_not_logged_in_is_not_a_failure(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "auth", "logout", "reg.example"],
        capture_output=True,
        check=False,
        env={**os.environ, "DOCKER_CONFIG": str(tmp_path)},
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, b"")
    assert b"not logged in to reg.example" in done.stderr
