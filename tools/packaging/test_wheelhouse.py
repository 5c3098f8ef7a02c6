"""Install single distributions as users do, each into a fresh virtualenv.

Run by `nox -s build` after it fills the wheelhouse (``WHEELHOUSE`` names it);
third-party dependencies come from the package index.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent

#: What the crane distribution needs of ours, and nothing more (no daemon, Google or
#: Kubernetes code, no other CLI).
CRANE_NEEDS = {
    "containerregistry-core",
    "containerregistry-transport",
    "containerregistry-remote",
    "containerregistry-tarball",
    "containerregistry-layout",
    "containerregistry-legacy",
    "containerregistry-mutate",
    "containerregistry-registry",
    "containerregistry-crane",
}


@pytest.fixture(scope="module")
def wheelhouse() -> pathlib.Path:
    """The folder `nox -s build` filled; the tests fail (not skip) without one."""
    folder = pathlib.Path(os.environ.get("WHEELHOUSE", ROOT / "wheelhouse"))
    if not any(folder.glob("*.whl")):
        pytest.fail(f"no wheels in {folder}: run `nox -s build`")
    return folder


class Venv:
    """A fresh virtualenv with pip, and the commands it has."""

    def __init__(self, path: pathlib.Path) -> None:
        venv.create(path, with_pip=True)
        self.bin = path / ("Scripts" if sys.platform == "win32" else "bin")

    def pip(self, *args: str) -> str:
        """Run pip quietly; its output, or the test fails with pip's stderr."""
        done = subprocess.run(
            [str(self.bin / "python"), "-m", "pip", "--disable-pip-version-check", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def ours(self) -> set[str]:
        """The containerregistry distributions installed here."""
        listed = json.loads(self.pip("list", "--format", "json"))
        return {entry["name"] for entry in listed if entry["name"].startswith("containerregistry")}

    def command(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run one of the installed commands."""
        return subprocess.run(
            [str(self.bin / name), *args], capture_output=True, text=True, check=False
        )


def test_the_crane_distribution_alone_brings_only_what_it_needs(
    wheelhouse: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    env = Venv(tmp_path / "venv")
    env.pip("install", "--quiet", "--find-links", str(wheelhouse), "containerregistry-crane")
    assert env.ours() == CRANE_NEEDS
    version = env.command("crane", "version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "0.1.0"
    assert not (env.bin / "gcrane").exists()
    assert not (env.bin / "kcrane").exists()


def test_gcrane_and_kcrane_install_from_the_wheelhouse(
    wheelhouse: pathlib.Path, tmp_path: pathlib.Path
) -> None:
    env = Venv(tmp_path / "venv")
    env.pip(
        "install",
        "--quiet",
        "--find-links",
        str(wheelhouse),
        "containerregistry-gcrane",
        "containerregistry-kcrane",
    )
    assert {"containerregistry-gcrane", "containerregistry-kcrane"} <= env.ours()
    assert "containerregistry-daemon" not in env.ours()
    for command in ("gcrane", "kcrane", "krane"):
        shown = env.command(command, "--help")
        assert shown.returncode == 0, shown.stderr
        assert f"Usage: {command} " in shown.stdout


def test_one_directory_of_the_checkout_installs_with_its_siblings(tmp_path: pathlib.Path) -> None:
    env = Venv(tmp_path / "venv")
    env.pip("install", "--quiet", str(ROOT / "packages" / "containerregistry-crane"))
    assert env.ours() == CRANE_NEEDS
    version = env.command("crane", "version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "0.1.0"
