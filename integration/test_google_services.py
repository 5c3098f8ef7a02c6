"""containerregistry.google against real services: registry:2 for plain listings and
walks, google-auth against a loopback metadata server and token endpoint for the
keychain, the token reaching a registry that checks it."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(
    0,
    os.path.join(os.path.dirname(__file__), "..", "packages", "containerregistry-google", "tests"),
)

from google_testkit import (
    GoogleServer,
    Served,
    make_service_account_key,
    push_image,
    serve,
)

from containerregistry import google, name
from containerregistry.authn import ANONYMOUS
from containerregistry.errors import ContainerRegistryError
from containerregistry.registry import MemoryStorage, Registry, TokenAuth


@pytest.fixture
def google_server() -> Iterator[GoogleServer]:
    server = GoogleServer(make_service_account_key())
    try:
        yield server
    finally:
        server.stop()


def test_registry2_listing_follows_link_pages(registry2_address: str) -> None:
    repository = f"google-it/{uuid.uuid4().hex[:12]}"
    for tag in ("a", "b", "c", "d", "e"):
        push_image(f"http://{registry2_address}", repository, [tag], layer=tag.encode())

    tags = google.list(f"{registry2_address}/{repository}", authenticator=ANONYMOUS, page_size=2)

    # registry:2 pages in its own order; every tag comes exactly once.
    assert sorted(tags.tags) == ["a", "b", "c", "d", "e"]
    assert not tags.extended
    assert tags.to_json().startswith(b'{"child":null,"manifest":null,')


def test_registry2_walk_reports_one_repository(registry2_address: str) -> None:
    repository = f"google-it/{uuid.uuid4().hex[:12]}"
    push_image(f"http://{registry2_address}", repository, ["v1"])
    seen: list[tuple[str, object]] = []

    def record(
        repo: name.Repository, tags: google.Tags | None, error: ContainerRegistryError | None
    ) -> None:
        seen.append((repo.repository_str, tags.tags if tags else error))

    google.walk(f"{registry2_address}/{repository}", record, authenticator=ANONYMOUS)
    assert seen == [(repository, ("v1",))]


@pytest.fixture
def token_registry() -> Iterator[tuple[Served, Served]]:
    storage = MemoryStorage()
    locked = Registry(storage=storage, gcr=True, auth=TokenAuth({"_token": "ya29.test-1"}))
    for served_locked in serve(locked):
        for served_open in serve(Registry(storage=storage, gcr=True)):
            yield served_locked, served_open


def test_service_account_key_in_the_environment_reaches_the_registry(
    google_server: GoogleServer,
    token_registry: tuple[Served, Served],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked, door = token_registry
    digest, _ = push_image(door.url, "proj/app", ["v1"])
    push_image(door.url, "proj/app/child", ["v2"])
    assert google_server.key is not None
    key_file = tmp_path / "key.json"
    key_file.write_text(google_server.key.json(google_server.token_uri))
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    keychain = google.GoogleKeychain(hosts=[locked.host], gcloud=None)
    listed: dict[str, tuple[str, ...]] = {}

    def record(
        repo: name.Repository, tags: google.Tags | None, error: ContainerRegistryError | None
    ) -> None:
        assert error is None
        assert tags is not None
        listed[repo.repository_str] = tags.tags

    google.walk(locked.repo("proj"), record, keychain=keychain)

    assert listed == {"proj": (), "proj/app": ("v1",), "proj/app/child": ("v2",)}
    assert google.list(locked.repo("proj/app"), keychain=keychain).manifests[digest].tags == ("v1",)
    # One grant for the whole walk: the token is reused until it expires.
    assert google_server.issued == ["ya29.test-1"]
    token_requests = [s for s in locked.recorder.seen if s.path == "/token"]
    assert len(token_requests) >= 3
    assert {s.basic() for s in token_requests} == {("_token", "ya29.test-1")}
