"""Docker Hub credentials under every key tools write them: docker's
``https://index.docker.io/v1/``, podman's and skopeo's ``docker.io``, ``index.docker.io``
by hand; and secrets holding ``:`` and ``@`` (Harbor robot accounts)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from containerregistry import authn, name


def _keychain(tmp_path: Path, auths: dict[str, object]) -> authn.Keychain:
    folder = tmp_path / "docker"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"auths": auths}))
    return authn.DefaultKeychain(env={"DOCKER_CONFIG": str(folder), "HOME": str(tmp_path)})


def _auth(user: str, password: str) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    "key",
    [
        "https://index.docker.io/v1/",
        "index.docker.io",
        "docker.io",
        "registry-1.docker.io",
        "https://index.docker.io/v1",
        "https://docker.io",
    ],
)
@pytest.mark.parametrize(
    "reference", ["ubuntu", "docker.io/library/ubuntu", "index.docker.io/moby/app"]
)
def test_dockerhub_credentials_under_any_hub_key(tmp_path: Path, key: str, reference: str) -> None:
    keychain = _keychain(tmp_path, {key: _auth("moby", "hub-pass")})

    found = keychain.resolve(name.new_repository(reference)).authorization()

    assert (found.username, found.password) == ("moby", "hub-pass")


def test_dockerhub_canonical_key_wins_over_aliases(tmp_path: Path) -> None:
    keychain = _keychain(
        tmp_path,
        {
            "docker.io": _auth("podman-user", "a"),
            "https://index.docker.io/v1/": _auth("docker-user", "b"),
        },
    )
    found = keychain.resolve(name.new_repository("ubuntu")).authorization()
    assert found.username == "docker-user"


def test_dockerhub_repository_key_from_podman(tmp_path: Path) -> None:
    keychain = _keychain(
        tmp_path,
        {"docker.io/acme/private": _auth("acme-bot", "p"), "docker.io": _auth("moby", "q")},
    )
    private = keychain.resolve(name.new_repository("acme/private")).authorization()
    public = keychain.resolve(name.new_repository("library/ubuntu")).authorization()
    assert (private.username, public.username) == ("acme-bot", "moby")


def test_a_repository_key_is_not_the_registry_key(tmp_path: Path) -> None:
    keychain = _keychain(tmp_path, {"docker.io/acme/private": _auth("acme-bot", "p")})
    assert keychain.resolve(name.new_repository("library/ubuntu")) is authn.ANONYMOUS


@pytest.mark.parametrize(
    ("user", "secret"),
    [
        pytest.param("robot$ci+builder", "Ab:cd@ef:@gh", id="harbor-robot-in-project"),
        pytest.param("robot$deployer", "p@ss:word", id="harbor-system-robot"),
        pytest.param("user@example.com", "::@@", id="email-user"),
    ],
)
def test_auth_field_splits_at_the_first_colon(tmp_path: Path, user: str, secret: str) -> None:
    keychain = _keychain(tmp_path, {"harbor.example.com": _auth(user, secret)})
    found = keychain.resolve(name.new_registry("harbor.example.com")).authorization()
    assert (found.username, found.password) == (user, secret)
