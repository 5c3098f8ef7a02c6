"""The Google keychain: which hosts, which credentials, found once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from google_testkit import GoogleServer, Served, fake_gcloud, gcloud_runs, push_image, serve

from containerregistry import google, name
from containerregistry.authn import ANONYMOUS, multi_keychain
from containerregistry.registry import MemoryStorage, Registry, TokenAuth


@pytest.mark.parametrize(
    ("host", "google_host"),
    [
        ("gcr.io", True),
        ("us.gcr.io", True),
        ("eu.gcr.io:443", True),
        ("europe-docker.pkg.dev", True),
        ("marketplace.gcr.io", True),
        ("mirror.gcr.google.com", True),
        ("GCR.IO", True),
        ("gcr.io.evil.com", False),
        ("notgcr.io", False),
        ("pkg.dev.example.com", False),
        ("index.docker.io", False),
        ("127.0.0.1:5000", False),
    ],
)
def test_google_hosts(host: str, google_host: bool) -> None:
    assert google.is_google_host(host) is google_host


def test_extra_hosts_match_with_or_without_port() -> None:
    assert google.is_google_host("127.0.0.1:5000", extra=["127.0.0.1:5000"])
    assert google.is_google_host("127.0.0.1:5000", extra=["127.0.0.1"])
    assert not google.is_google_host("127.0.0.1:5001", extra=["127.0.0.1:5000"])
    env = {google.HOSTS_ENV: "localhost:1, 127.0.0.1:5000"}
    assert google.is_google_host("127.0.0.1:5000", env=env)
    assert google.is_google_host("localhost:1", env=env)


def test_other_hosts_are_anonymous_without_looking(tmp_path: Path) -> None:
    gcloud = fake_gcloud(tmp_path)
    keychain = google.GoogleKeychain(application_default=False, gcloud=str(gcloud))
    assert keychain.resolve(name.new_registry("index.docker.io")) is ANONYMOUS
    assert keychain.resolve(name.new_repository("quay.io/a/b")) is ANONYMOUS
    assert gcloud_runs(tmp_path) == []


def test_gcloud_credentials_found_once(tmp_path: Path) -> None:
    gcloud = fake_gcloud(tmp_path, token="ya29.from-gcloud")
    keychain = google.GoogleKeychain(application_default=False, gcloud=str(gcloud))
    found: list[object] = []
    threads = [
        threading.Thread(target=lambda: found.append(keychain.resolve("gcr.io"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first = found[0]
    assert all(f is first for f in found)
    assert keychain.resolve(name.new_repository("us-docker.pkg.dev/p/r/i")) is first
    config = keychain.resolve(name.new_repository("gcr.io/p/app")).authorization()
    assert (config.username, config.password) == ("_token", "ya29.from-gcloud")
    assert len(gcloud_runs(tmp_path)) == 1


def test_failing_gcloud_means_anonymous(tmp_path: Path) -> None:
    gcloud = fake_gcloud(tmp_path, exit_code=1)
    keychain = google.GoogleKeychain(application_default=False, gcloud=str(gcloud))
    assert keychain.resolve("gcr.io") is ANONYMOUS


def test_missing_gcloud_means_anonymous(tmp_path: Path) -> None:
    keychain = google.GoogleKeychain(application_default=False, gcloud=str(tmp_path / "none"))
    assert keychain.resolve("gcr.io") is ANONYMOUS
    assert google.GoogleKeychain(application_default=False, gcloud=None).resolve("gcr.io") is (
        ANONYMOUS
    )


def test_application_default_wins_over_gcloud(
    google_server: GoogleServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert google_server.key is not None
    key_file = tmp_path / "key.json"
    key_file.write_text(google_server.key.json(google_server.token_uri))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    gcloud = fake_gcloud(tmp_path)
    keychain = google.GoogleKeychain(gcloud=str(gcloud))
    assert keychain.resolve("eu.gcr.io").authorization().password == "ya29.test-1"
    assert gcloud_runs(tmp_path) == []


def test_unusable_application_default_falls_back_to_gcloud(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text('{"type": "service_account"}')
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    keychain = google.GoogleKeychain(gcloud=str(fake_gcloud(tmp_path)))
    assert keychain.resolve("gcr.io").authorization().password == "ya29.gcloud"


@pytest.fixture
def token_registry() -> Iterator[tuple[Served, Served]]:
    """A GCR-flavoured registry taking ``_token:ya29.test-1``, and an open door to it."""
    storage = MemoryStorage()
    locked = Registry(storage=storage, gcr=True, auth=TokenAuth({"_token": "ya29.test-1"}))
    for served_locked in serve(locked):
        for served_open in serve(Registry(storage=storage, gcr=True)):
            yield served_locked, served_open


def test_keychain_on_loopback_through_the_environment(
    google_server: GoogleServer,
    token_registry: tuple[Served, Served],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked, door = token_registry
    push_image(door.url, "proj/app", ["v1"])
    assert google_server.key is not None
    key_file = tmp_path / "key.json"
    key_file.write_text(google_server.key.json(google_server.token_uri))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv(google.HOSTS_ENV, locked.host)
    keychain = multi_keychain(google.GoogleKeychain(gcloud=None))

    tags = google.list(locked.repo("proj/app"), keychain=keychain)

    assert tags.tags == ("v1",)
    token_requests = [s for s in locked.recorder.seen if s.path == "/token"]
    assert {s.basic() for s in token_requests} == {("_token", "ya29.test-1")}
    # A Google host: one page of up to 10000.
    assert [s.arg("n") for s in locked.recorder.requests("/tags/list")] == ["10000"]


# google-auth reads GCE_METADATA_HOST when it is first imported, so the metadata server
# is tried in a fresh interpreter whose environment points at the loopback one.
_CHILD = textwrap.dedent(
    """
    import json, sys
    from containerregistry import google
    keychain = google.GoogleKeychain(hosts=[sys.argv[1]], gcloud=sys.argv[2] or None)
    tags = google.list(sys.argv[1] + "/proj/app", keychain=keychain)
    config = keychain.resolve(sys.argv[1]).authorization()
    print(json.dumps({"tags": list(tags.tags), "user": config.username}))
    """
)


def _run_child(
    registry_host: str, tmp_path: Path, env: dict[str, str], gcloud: str = ""
) -> dict[str, object]:
    child_env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(sys.path),
        "HOME": str(tmp_path),
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "DOCKER_CONFIG": str(tmp_path / "docker"),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, registry_host, gcloud],
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_metadata_server_token_reaches_the_registry(
    google_server: GoogleServer, token_registry: tuple[Served, Served], tmp_path: Path
) -> None:
    locked, door = token_registry
    push_image(door.url, "proj/app", ["v1"])
    env = {"GCE_METADATA_HOST": google_server.host, "GCE_METADATA_IP": google_server.host}

    result = _run_child(locked.host, tmp_path, env)

    assert result == {"tags": ["v1"], "user": "_token"}
    assert google_server.issued == ["ya29.test-1"]
    assert any("service-accounts/default/token" in p for p in google_server.metadata_paths)
    token_requests = [s for s in locked.recorder.seen if s.path == "/token"]
    assert {s.basic() for s in token_requests} == {("_token", "ya29.test-1")}


def test_no_application_default_falls_back_to_gcloud(
    token_registry: tuple[Served, Served], tmp_path: Path
) -> None:
    locked, door = token_registry
    push_image(door.url, "proj/app", ["v1"])
    gcloud = fake_gcloud(tmp_path, token="ya29.test-1")
    # No key, no ADC file, and no metadata server: gcloud answers.
    result = _run_child(locked.host, tmp_path, {"NO_GCE_CHECK": "true"}, str(gcloud))
    assert result == {"tags": ["v1"], "user": "_token"}
    assert len(gcloud_runs(tmp_path)) == 1
