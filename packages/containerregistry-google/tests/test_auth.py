"""Authenticators: JSON keys, fixed tokens, token reuse, service accounts, ADC, gcloud."""

from __future__ import annotations

import datetime
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from google_testkit import GoogleServer, Served, fake_gcloud, gcloud_runs, push_image, serve

from containerregistry import google
from containerregistry.authn import ANONYMOUS
from containerregistry.registry import MemoryStorage, Registry, TokenAuth

UTC = datetime.timezone.utc


def test_json_key_authenticator_sends_the_whole_key() -> None:
    key = '{"type": "service_account", "client_email": "a@b"}'
    config = google.json_key_authenticator(key).authorization()
    assert (config.username, config.password) == ("_json_key", key)
    assert google.json_key_authenticator(key.encode()).authorization().password == key


@pytest.mark.parametrize("key", ["not json", "[1, 2]", '"text"'], ids=["text", "array", "string"])
def test_json_key_authenticator_rejects_non_keys(key: str) -> None:
    with pytest.raises(google.GoogleAuthError) as caught:
        google.json_key_authenticator(key)
    assert key not in str(caught.value)


def test_token_authenticator() -> None:
    config = google.token_authenticator("ya29.abc").authorization()
    assert (config.username, config.password) == ("oauth2accesstoken", "ya29.abc")
    with pytest.raises(google.GoogleAuthError):
        google.token_authenticator("")


def test_access_token_is_not_in_repr() -> None:
    token = google.AccessToken("ya29.secret", datetime.datetime(2030, 1, 1, tzinfo=UTC))
    assert "secret" not in repr(token)
    assert "secret" not in repr(google.token_source_authenticator(_Counting()))


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        pytest.param(
            '{"credential": {"access_token": "ya29.g", "token_expiry": "2030-01-02T03:04:05Z"}}',
            google.AccessToken("ya29.g", datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
            id="utc",
        ),
        pytest.param(
            '{"credential": {"access_token": "t", "token_expiry": "2030-01-02T05:04:05+02:00"}}',
            google.AccessToken("t", datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
            id="offset",
        ),
    ],
)
def test_parse_gcloud_output(output: str, expected: google.AccessToken) -> None:
    assert google.parse_gcloud_output(output) == expected


@pytest.mark.parametrize(
    "output",
    [
        pytest.param("", id="empty"),
        pytest.param('{"credential": {}}', id="no-token"),
        pytest.param('{"credential": {"access_token": "", "token_expiry": "x"}}', id="blank"),
        pytest.param(
            '{"credential": {"access_token": "t", "token_expiry": "tomorrow"}}', id="bad-expiry"
        ),
    ],
)
def test_parse_gcloud_output_errors(output: str) -> None:
    with pytest.raises(google.GoogleAuthError):
        google.parse_gcloud_output(output)


class _Counting:
    """A token source that mints ``t1``, ``t2``... living ``lifetime`` seconds."""

    def __init__(self, lifetime: float = 3600.0, pause: float = 0.0) -> None:
        self.minted = 0
        self.lifetime = lifetime
        self.pause = pause
        self.now = 1_000_000.0

    def token(self) -> google.AccessToken:
        time.sleep(self.pause)
        self.minted += 1
        expiry = datetime.datetime.fromtimestamp(self.now + self.lifetime, UTC)
        return google.AccessToken(f"t{self.minted}", expiry)


def test_tokens_are_reused_until_just_before_expiry() -> None:
    source = _Counting(lifetime=600)
    reusing = google.ReusingTokenSource(source, clock=lambda: source.now)
    assert reusing.token().value == "t1"
    source.now += 500  # 100 s left: still good
    assert reusing.token().value == "t1"
    source.now += 50  # 50 s left: inside the refresh margin
    assert reusing.token().value == "t2"
    assert source.minted == 2


def test_one_refresh_for_many_threads() -> None:
    source = _Counting(pause=0.05)
    reusing = google.ReusingTokenSource(source, clock=lambda: source.now)
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda: seen.append(reusing.token().value)) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == ["t1"] * 16
    assert source.minted == 1


# -- against a loopback token endpoint, and a registry that checks the token ------------------


@pytest.fixture
def locked_registry() -> Iterator[tuple[Served, Served]]:
    """A GCR-flavoured registry whose token endpoint takes ``_token:ya29.test-1``, and an
    open door to the same storage for pushing."""
    storage = MemoryStorage()
    locked = Registry(storage=storage, gcr=True, auth=TokenAuth({"_token": "ya29.test-1"}))
    for served_locked in serve(locked):
        for served_open in serve(Registry(storage=storage, gcr=True)):
            yield served_locked, served_open


def test_service_account_token_reaches_the_registry(
    google_server: GoogleServer, locked_registry: tuple[Served, Served]
) -> None:
    locked, door = locked_registry
    digest, _ = push_image(door.url, "proj/app", ["v1"])
    assert google_server.key is not None
    authenticator = google.service_account_authenticator(
        google_server.key.json(google_server.token_uri)
    )

    tags = google.list(locked.repo("proj/app"), authenticator=authenticator)

    assert tags.manifests[digest].tags == ("v1",)
    (grant,) = google_server.grants
    assert grant["iss"] == "pusher@test-project.iam.gserviceaccount.com"
    assert grant["scope"] == google.CLOUD_PLATFORM_SCOPE
    token_requests = [s for s in locked.recorder.seen if s.path == "/token"]
    assert token_requests
    assert {s.basic() for s in token_requests} == {("_token", "ya29.test-1")}


def test_service_account_tokens_are_refreshed_when_short_lived(
    google_server: GoogleServer,
) -> None:
    assert google_server.key is not None
    key = google_server.key.json(google_server.token_uri)
    authenticator = google.service_account_authenticator(key)
    assert authenticator.authorization().password == "ya29.test-1"
    assert authenticator.authorization().password == "ya29.test-1"
    assert len(google_server.grants) == 1
    # Tokens that live less than the refresh margin are replaced on every use.
    google_server.expires_in = 30
    fresh = google.service_account_authenticator(key)
    assert fresh.authorization().password == "ya29.test-2"
    assert fresh.authorization().password == "ya29.test-3"


def test_service_account_key_errors(google_server: GoogleServer) -> None:
    with pytest.raises(google.GoogleAuthError, match="cannot be used"):
        google.service_account_authenticator('{"type": "service_account"}')
    assert google_server.key is not None
    wrong_audience = json.loads(google_server.key.json(google_server.token_uri))
    wrong_audience["client_email"] = "someone-else@example.com"
    authenticator = google.service_account_authenticator(json.dumps(wrong_audience))
    with pytest.raises(google.GoogleAuthError, match="refreshing Google credentials failed"):
        authenticator.authorization()


def test_application_default_from_environment_key(
    google_server: GoogleServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert google_server.key is not None
    key_file = tmp_path / "key.json"
    key_file.write_text(google_server.key.json(google_server.token_uri))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    authenticator = google.application_default_authenticator()
    # The first token is fetched at once; later calls reuse it.
    assert len(google_server.issued) == 1
    config = authenticator.authorization()
    assert (config.username, config.password) == ("_token", "ya29.test-1")
    assert len(google_server.issued) == 1


def test_application_default_from_gcloud_adc_file(
    google_server: GoogleServer, tmp_path: Path
) -> None:
    # gcloud's well-known ADC file may hold any credential type. A user's refresh token
    # is always sent to Google's own endpoint, so the test stores a service-account key.
    assert google_server.key is not None
    adc = tmp_path / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir()
    adc.write_text(google_server.key.json(google_server.token_uri))
    authenticator = google.application_default_authenticator()
    assert authenticator.authorization().password == "ya29.test-1"
    assert len(google_server.grants) == 1


def test_application_default_bad_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key_file = tmp_path / "key.json"
    key_file.write_text("{}")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    with pytest.raises(google.GoogleAuthError, match="no application default credentials"):
        google.application_default_authenticator()


# -- gcloud ------------------------------------------------------------------------------------


def test_gcloud_authenticator(tmp_path: Path) -> None:
    gcloud = fake_gcloud(tmp_path)
    authenticator = google.gcloud_authenticator(gcloud=str(gcloud))
    config = authenticator.authorization()
    assert (config.username, config.password) == ("_token", "ya29.gcloud")
    authenticator.authorization()
    assert gcloud_runs(tmp_path) == [
        "config config-helper --force-auth-refresh --format=json(credential)"
    ]


def test_gcloud_found_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gcloud = fake_gcloud(tmp_path)
    monkeypatch.setenv("PATH", f"{gcloud.parent}{os.pathsep}{os.environ['PATH']}")
    assert google.gcloud_authenticator().authorization().password == "ya29.gcloud"


def test_gcloud_missing_is_anonymous(tmp_path: Path) -> None:
    assert google.gcloud_authenticator(gcloud=str(tmp_path / "no-gcloud")) is ANONYMOUS


def test_gcloud_failure_is_an_error(tmp_path: Path) -> None:
    gcloud = fake_gcloud(tmp_path, exit_code=1)
    with pytest.raises(google.GoogleAuthError, match="exited with 1: You do not currently"):
        google.gcloud_authenticator(gcloud=str(gcloud))
