"""The fixtures as a user sees them: pytest's own pytester runs test files that use them.

In subprocesses: an inline run unloads the modules it imported (requests among them)
and a second inline run in the same process would mix two copies of them.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import socket
import sys
from importlib import metadata

import pytest
from pytest_containerregistry import Credentials, RegistryFactory, RegistryFixtureError

pytest_plugins = ["pytester"]

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
FIXTURES = [
    "registry",
    "session_registry",
    "auth_registry",
    "registry_factory",
    "registry_seeder",
    "registry2",
    "registry_process",
]
NO_DAEMON = "unix:///nonexistent/docker.sock"


def _connects(host: str) -> bool:
    address, port = host.rsplit(":", 1)
    try:
        with socket.create_connection((address, int(port)), timeout=2):
            return True
    except OSError:
        return False


def test_the_entry_point_names_the_plugin() -> None:
    points = {p.name: p.value for p in metadata.entry_points(group="pytest11")}
    assert points.get("containerregistry") == "pytest_containerregistry.plugin"


def test_installing_is_all_it_takes(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--fixtures")
    assert result.ret == 0
    listed = result.stdout.str()
    for fixture in FIXTURES:
        assert re.search(rf"^{fixture}( \[session scope\])? -- ", listed, re.MULTILINE), fixture


def test_registry_answers_and_keeps_what_is_pushed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.request
        from containerregistry import remote, name

        def test_push_and_read(registry, registry_seeder):
            with urllib.request.urlopen(f"http://{registry}/v2/") as response:
                assert response.status == 200
                assert response.headers["Docker-Distribution-API-Version"] == "registry/2.0"
            seeded = registry_seeder.image(f"{registry}/team/app:1", layers=3, seed=1)
            got = remote.get(name.parse_reference(f"{registry}/team/app:1"))
            assert str(got.digest) == seeded.digest
            assert len(remote.image(name.parse_reference(seeded.by_digest)).layers()) == 3
            assert remote.catalog(name.new_registry(registry)) == ["team/app"]
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)


def test_each_test_gets_its_own_registry_and_it_stops(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from containerregistry import remote, name

        def test_one(registry, registry_seeder):
            registry_seeder.image(f"{registry}/only-here:1")
            with open("hosts.txt", "a") as out:
                out.write(registry + "\\n")

        def test_two(registry):
            assert remote.catalog(name.new_registry(registry)) == []
            with open("hosts.txt", "a") as out:
                out.write(registry + "\\n")
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
    hosts = (pytester.path / "hosts.txt").read_text().split()
    assert len(set(hosts)) == 2
    assert all(host.startswith("127.0.0.1:") for host in hosts)
    assert not any(_connects(host) for host in hosts)


def test_session_registry_is_shared_by_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from containerregistry import remote, name

        def test_push(session_registry, registry_seeder):
            registry_seeder.image(f"{session_registry}/first:1", seed=3)
            with open("hosts.txt", "a") as out:
                out.write(session_registry + "\\n")

        def test_sees_the_push(session_registry):
            assert remote.catalog(name.new_registry(session_registry)) == ["first"]
            with open("hosts.txt", "a") as out:
                out.write(session_registry + "\\n")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)
    hosts = (pytester.path / "hosts.txt").read_text().split()
    assert len(hosts) == 2
    assert len(set(hosts)) == 1
    assert not _connects(hosts[0])


def test_auth_registry_refuses_strangers_and_admits_its_user(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import urllib.error, urllib.request
        import pytest
        from containerregistry import remote, name

        @pytest.mark.parametrize("auth_registry", ["basic", "token"], indirect=True)
        def test_auth(auth_registry, registry_seeder):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"http://{auth_registry}/v2/")
            assert refused.value.code == 401
            scheme = refused.value.headers["WWW-Authenticate"].split()[0]
            assert scheme == {"basic": "Basic", "token": "Bearer"}[auth_registry.auth]
            creds = auth_registry.credentials
            seeded = registry_seeder.image(auth_registry.reference("private:1"), credentials=creds)
            ref = name.parse_reference(seeded.reference)
            answer = remote.head(ref, authenticator=creds.authenticator())
            assert str(answer.digest) == seeded.digest
            with pytest.raises(Exception, match="UNAUTHORIZED|401"):
                remote.head(ref)

        def test_default_is_basic(auth_registry):
            assert auth_registry.auth == "basic"
            assert auth_registry.credentials.username == "pytest"
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=3)


def test_an_unknown_auth_parameter_is_one_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("auth_registry", ["digest"], indirect=True)
        def test_auth(auth_registry):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*auth_registry parameter 'digest' is unknown; use one of basic, token*"]
    )


def test_seeds_are_deterministic_and_indexes_hold_their_images(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json
        from containerregistry import remote, name

        def test_seed(registry, registry_seeder):
            one = registry_seeder.image(f"{registry}/aa:1", layers=2, layer_size=10, seed=42)
            two = registry_seeder.image(f"{registry}/bb:1", layers=2, layer_size=10, seed=42)
            other = registry_seeder.image(f"{registry}/cc:1", layers=2, layer_size=10)
            assert one.digest == two.digest != other.digest
            seeded = registry_seeder.index(f"{registry}/multi:1", images=3, seed=5)
            manifest = json.loads(remote.get(name.parse_reference(seeded.by_digest)).manifest)
            children = [child["digest"] for child in manifest["manifests"]]
            assert len(children) == 3
            for child in children:
                remote.head(name.parse_reference(f"{registry}/multi@{child}"))
            with open("digest.txt", "w") as out:
                out.write(one.digest)
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    first = (pytester.path / "digest.txt").read_text()
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    assert (pytester.path / "digest.txt").read_text() == first


def test_factory_options_reach_the_registry(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import json, urllib.request
        from containerregistry.registry import DiskStorage

        def test_gcr_on_disk(registry_factory, registry_seeder, tmp_path):
            running = registry_factory(gcr=True, storage=DiskStorage(str(tmp_path / "store")))
            seeded = registry_seeder.image(running.reference("project/app:1"))
            with urllib.request.urlopen(f"http://{running}/v2/project/app/tags/list") as answer:
                listing = json.load(answer)
            assert list(listing["manifest"]) == [seeded.digest]
            # The tag is on disk (wherever the storage lays its files out).
            stored = (tmp_path / "store").rglob("*")
            assert any(p.name == "1" and "app" in p.parts for p in stored)
        """
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_factory_refuses_credentials_without_auth() -> None:
    factory = RegistryFactory()
    with pytest.raises(RegistryFixtureError, match="credentials were given without auth"):
        factory(credentials=Credentials("me", "secret"))
    with pytest.raises(RegistryFixtureError, match="registry auth 'ntlm' is unknown"):
        factory(auth="ntlm")  # type: ignore[arg-type]
    factory.close()


def test_credentials_never_show_the_password() -> None:
    credentials = Credentials("me", "s3cret-value")
    assert "s3cret-value" not in repr(credentials)
    config = credentials.docker_config("127.0.0.1:5000")
    assert json.dumps(config) == '{"auths": {"127.0.0.1:5000": {"auth": "bWU6czNjcmV0LXZhbHVl"}}}'


def test_registry2_skips_when_no_daemon_answers(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCKER_HOST", NO_DAEMON)
    pytester.makepyfile(
        """
        def test_needs_docker(registry2):
            raise AssertionError("ran without a daemon")

        def test_also_needs_docker(registry2):
            raise AssertionError("ran without a daemon")
        """
    )
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([f"SKIPPED*no Docker daemon answers at {NO_DAEMON}*"])


def test_registry2_skips_without_the_docker_command(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    pytester.makepyfile("def test_needs_docker(registry2):\n    pass\n")
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*the docker command is not installed*"])


def readme_example() -> str:
    """The README's example test file (its first Python block)."""
    text = README.read_text()
    match = re.search(r"```python\n(.*?)```", text, re.DOTALL)
    assert match, "the README has no python example"
    return match.group(1)


def test_the_readme_example_passes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a daemon here: integration/test_pytest_plugin.py runs it against dockerd.
    monkeypatch.setenv("DOCKER_HOST", NO_DAEMON)
    # The example runs the `crane` script, which sits beside this interpreter.
    monkeypatch.setenv(
        "PATH", os.pathsep.join([os.path.dirname(sys.executable), os.environ["PATH"]])
    )
    pytester.makepyfile(test_readme=readme_example())
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(passed=4, skipped=1)
