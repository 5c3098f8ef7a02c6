"""``crane registry serve`` child processes: what a test that starts one sees."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from pytest_containerregistry import (
    RegistryFixtureError,
    RegistryProcessFactory,
    start_registry_process,
)

from containerregistry import name, random, remote

pytest_plugins = ["pytester"]


def _connects(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def test_serves_until_stopped_and_its_flags_reach_it(tmp_path: Path) -> None:
    image = random.image(256, 1, seed=3)
    with start_registry_process("--disk", str(tmp_path)) as first:
        assert str(first) == first.host == f"127.0.0.1:{first.port}"
        with urllib.request.urlopen(f"http://{first.host}/v2/", timeout=10) as response:
            assert response.status == 200
        remote.write(name.parse_reference(first.reference("app:1")), image)
    assert first.stop() == 0  # already stopped by the with block: its status again
    assert not _connects(first.port)
    # The image is on the --disk directory: a second process there serves it.
    with start_registry_process("--disk", str(tmp_path)) as second:
        ref = name.parse_reference(second.reference("/app:1"))
        assert remote.get(ref).digest == image.digest()
    assert second.process.returncode == 0


def test_a_refused_flag_is_one_clear_error() -> None:
    with pytest.raises(RegistryFixtureError) as caught:
        start_registry_process("--storage", "s3://bucket/prefix")
    assert str(caught.value) == (
        "crane registry serve did not start (exit status 1): "
        "Error: Invalid value: 's3://bucket/prefix' is not gs://BUCKET/PREFIX"
    )


def test_the_factory_stops_what_it_started(tmp_path: Path) -> None:
    factory = RegistryProcessFactory()
    one = factory("--disk", str(tmp_path))
    two = factory("--disk", str(tmp_path))
    assert one.port != two.port
    for served in (one, two):
        with urllib.request.urlopen(f"http://{served}/v2/", timeout=10) as response:
            assert response.status == 200
    assert two.stop() == 0
    factory.close()
    assert one.process.returncode == 0
    assert not _connects(one.port)


def test_the_fixture_stops_its_processes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.request

        def test_serve(registry_process):
            served = registry_process("--gcr")
            with urllib.request.urlopen(f"http://{served}/v2/", timeout=10) as response:
                assert response.status == 200
            with open("port.txt", "w") as out:
                out.write(str(served.port))
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    assert not _connects(int((pytester.path / "port.txt").read_text()))
