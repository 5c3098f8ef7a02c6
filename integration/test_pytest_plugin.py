"""pytest-containerregistry against the real Docker daemon: the registry2 fixture."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

README = pathlib.Path(__file__).resolve().parent.parent / (
    "packages/pytest-containerregistry/README.md"
)
LABEL = "io.containerregistry.pytest=1"


def _ours(docker_cli: str) -> list[str]:
    done = subprocess.run(
        [docker_cli, "ps", "--all", "--quiet", "--filter", f"label={LABEL}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_registry2_runs_distribution_and_is_removed(
    pytester: pytest.Pytester, docker_cli: str
) -> None:
    before = _ours(docker_cli)
    pytester.makepyfile(
        """
        import json, subprocess, urllib.request
        from containerregistry import crane

        def test_distribution(registry2, registry_seeder):
            seeded = registry_seeder.image(registry2.reference("app:1"), layers=2, seed=9)
            assert crane.digest(seeded.reference) == seeded.digest
            crane.delete(seeded.by_digest)  # deletes are enabled
            with open("container.txt", "w") as out:
                out.write(registry2.container_id)

        def test_same_container_for_the_session(registry2):
            with open("container.txt") as seen:
                assert seen.read() == registry2.container_id
            with urllib.request.urlopen(f"http://{registry2}/v2/_catalog") as answer:
                assert json.load(answer) == {"repositories": ["app"]}
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    container = (pytester.path / "container.txt").read_text()
    assert container not in " ".join(_ours(docker_cli))
    assert _ours(docker_cli) == before


def test_the_readme_example_passes_against_dockerd(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, docker_cli: str
) -> None:
    # The example runs the `crane` script, which sits beside this interpreter.
    monkeypatch.setenv(
        "PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    )
    match = re.search(r"```python\n(.*?)```", README.read_text(), re.DOTALL)
    assert match, "the plugin's README has no python example"
    pytester.makepyfile(test_readme=match.group(1))
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(passed=5)
