"""gcrane as a process against `crane registry serve --gcr` (a separate process too):
ls -r, gc --delete and cp -r end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from pytest_containerregistry import RegistryProcessFactory

from containerregistry import name, random, remote


@pytest.fixture
def source(registry_process: RegistryProcessFactory) -> str:
    """``host:port`` of a ``crane registry serve --gcr`` process."""
    return registry_process("--gcr").host


@pytest.fixture
def destination(registry_process: RegistryProcessFactory) -> str:
    """``host:port`` of another ``crane registry serve --gcr`` process."""
    return registry_process("--gcr").host


def _gcrane(*argv: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "containerregistry.gcrane.cli", "--insecure", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, "DOCKER_CONFIG": "/nonexistent"},
        timeout=300,
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def _push(host: str, ref: str, seed: int) -> str:
    image = random.image(128, 1, seed=seed)
    remote.write(name.parse_reference(f"{host}/{ref}", insecure=True), image, insecure=True)
    return str(image.digest())


def test_ls_gc_and_recursive_copy(source: str, destination: str) -> None:
    kept = _push(source, "proj/app:v1", 1)
    old = _push(source, "proj/app:next", 2)
    _push(source, "proj/app:next", 3)  # leaves `old` untagged
    sub = _push(source, "proj/app/sub:s1", 4)

    listed = _gcrane("ls", "-r", f"{source}/proj").stdout.splitlines()
    assert f"{source}/proj/app@{kept}" in listed
    assert f"{source}/proj/app/sub@{sub}" in listed
    lines = _gcrane("ls", "-r", "--json", f"{source}/proj").stdout.splitlines()
    assert [json.loads(line)["name"] for line in lines] == ["proj", "proj/app", "proj/app/sub"]

    assert _gcrane("gc", "-r", f"{source}/proj").stdout.splitlines() == [f"{source}/proj/app@{old}"]

    _gcrane("cp", "-r", f"{source}/proj", f"{destination}/mirror")
    mirrored = _gcrane("ls", "-r", f"{destination}/mirror").stdout
    original = _gcrane("ls", "-r", f"{source}/proj").stdout
    assert mirrored.replace(f"{destination}/mirror", "X") == original.replace(f"{source}/proj", "X")
    # The untagged image went across by digest; now remove it on the source.
    done = _gcrane("gc", "-r", "--delete", f"{source}/proj")
    assert done.stderr.splitlines()[-1] == "deleted 1 image(s), 0 failed"
    assert _gcrane("gc", "-r", f"{source}/proj").stdout == ""
    assert _gcrane("gc", "-r", f"{destination}/mirror").stdout.strip() == (
        f"{destination}/mirror/app@{old}"
    )
