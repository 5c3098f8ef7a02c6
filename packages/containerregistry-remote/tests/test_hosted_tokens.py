"""Token services as hosted registries run them: answer shapes, OAuth2 identity tokens,
robot accounts, and tokens that die in the middle of a transfer.

Behaviour reproduced:

- GHCR answers ``{"token": ...}`` only; ACR ``{"access_token": ...}`` only (its
  ``/oauth2/token``); Docker Hub and Harbor both fields; GCR ``token`` and
  ``expires_in`` (Docker's token spec lets a server send either field).
- ``az acr login`` leaves ``identitytoken`` (and a zero-GUID user) in config.json; the
  client trades it with ``POST grant_type=refresh_token`` (ACR's AAD flow); GCR's
  ``identitytoken`` goes the same way to ``/v2/token``.
- Harbor robot accounts are ``robot$<project>+<name>``; their secrets, like any
  password, may hold ``:`` and ``@`` (config.json ``auth`` is base64 of
  ``user:password``, split at the first colon).
- A token past its ``expires_in`` (Docker Hub: 300 s) or revoked is refused with 401
  ``error="invalid_token"``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from hosted_standins import (
    ACR,
    DOCKER_HUB,
    GCR,
    GHCR,
    HARBOR,
    Hosted,
    Quirks,
    TokenService,
    acr_tokens,
    basic_auth,
    docker_hub_tokens,
    gcr_tokens,
    ghcr_tokens,
    harbor_tokens,
    standins,
)
from remote_testkit import FAST_RETRY, BlobLayer, MemoryImage, random_image

from containerregistry import authn, remote, transport

USER, PASSWORD = "octocat", "pw-1"


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _opts(**extra: Any) -> dict[str, Any]:
    return {"authenticator": authn.Basic(USER, PASSWORD), "retry": FAST_RETRY, **extra}


def _write_config(tmp_path: Path, auths: dict[str, dict[str, str]]) -> None:
    """The user's config.json (conftest points DOCKER_CONFIG at tmp_path/docker)."""
    folder = tmp_path / "docker"
    folder.mkdir(exist_ok=True)
    (folder / "config.json").write_text(json.dumps({"auths": auths}))


@pytest.mark.parametrize(
    ("quirks", "make_tokens", "fields"),
    [
        pytest.param(GHCR, ghcr_tokens, ["token"], id="ghcr-token-only"),
        pytest.param(ACR, acr_tokens, ["access_token"], id="acr-access-token-only"),
        pytest.param(DOCKER_HUB, docker_hub_tokens, ["access_token", "token"], id="dockerhub-both"),
        pytest.param(GCR, gcr_tokens, ["token"], id="gcr-token-expires-in"),
    ],
)
def test_token_answer_shapes(
    hosted: Callable[..., Hosted],
    quirks: Quirks,
    make_tokens: Callable[..., TokenService],
    fields: list[str],
) -> None:
    tokens = make_tokens(users={USER: PASSWORD})
    reg = hosted(quirks, tokens=tokens)
    img = random_image(10)

    remote.write(reg.ref("org/app:v1"), img, **_opts())

    assert remote.get(reg.ref("org/app:v1"), **_opts()).digest == img.digest()
    assert sorted(tokens.fields) == fields
    assert reg.token_server is not None
    assert reg.token_server.requests("GET", tokens.path)
    assert all(s.status != 401 for s in reg.registry.seen if s.path != "/v2/")


@pytest.mark.parametrize(
    ("quirks", "make_tokens"),
    [
        pytest.param(ACR, acr_tokens, id="acr-identity-token"),
        pytest.param(GCR, gcr_tokens, id="gcr-identity-token"),
    ],
)
def test_identity_token_from_config_uses_the_oauth2_post(
    hosted: Callable[..., Hosted],
    tmp_path: Path,
    quirks: Quirks,
    make_tokens: Callable[..., TokenService],
) -> None:
    refresh = "eyJhbGciOiJSUzI1NiJ9.refresh-token-from-az-acr-login"
    tokens = make_tokens(identity_tokens={refresh: "aad-user"})
    reg = hosted(quirks, tokens=tokens)
    zero_guid = "00000000-0000-0000-0000-000000000000"
    _write_config(
        tmp_path, {reg.host: {"auth": basic_auth(zero_guid, ""), "identitytoken": refresh}}
    )
    img = random_image(11)

    remote.write(reg.ref("team/app:v1"), img, retry=FAST_RETRY)

    assert remote.get(reg.ref("team/app:v1"), retry=FAST_RETRY).digest == img.digest()
    assert tokens.posted, "the identity token was not traded with the OAuth2 POST"
    for form in tokens.posted:
        assert form["grant_type"] == "refresh_token"
        assert form["refresh_token"] == refresh
        assert form["service"] == quirks.service
    assert reg.token_server is not None
    assert reg.token_server.requests("GET") == []  # never the GET flow


def test_harbor_robot_account_with_colon_and_at_in_the_secret(
    hosted: Callable[..., Hosted], tmp_path: Path
) -> None:
    robot, secret = "robot$ci+builder", "Ab:cd@ef:@gh"
    tokens = harbor_tokens(users={robot: secret}, anonymous_pull=False)
    reg = hosted(HARBOR, tokens=tokens)
    _write_config(tmp_path, {reg.host: {"auth": basic_auth(robot, secret)}})
    img = random_image(12)

    remote.write(reg.ref("ci/app:v1"), img, retry=FAST_RETRY)

    assert remote.get(reg.ref("ci/app:v1"), retry=FAST_RETRY).digest == img.digest()
    assert reg.token_server is not None
    asked = reg.token_server.requests("GET", "/service/token")
    assert asked
    assert all(s.arg("service") == "harbor-registry" for s in asked)
    assert all(s.status == 200 for s in asked)  # the exact user and secret were accepted


def test_invalid_token_mid_pull_is_fetched_again_and_the_request_repeated(
    hosted: Callable[..., Hosted],
) -> None:
    tokens = docker_hub_tokens(users={USER: PASSWORD})
    hub = hosted(DOCKER_HUB, tokens=tokens)
    img = random_image(13, layers=1)
    remote.write(hub.ref("library/app:v1"), img, **_opts())
    revoked: list[str] = []

    def revoke_at_first_blob(method: str, path: str) -> None:
        if method == "GET" and "/blobs/" in path and not revoked:
            revoked.append(path)
            tokens.revoke_all()

    pulled = remote.image(hub.ref("library/app:v1"), **_opts())
    hub.front.before = revoke_at_first_blob
    assert pulled.raw_config_file() == img.raw_config_file()

    statuses = [s.status for s in hub.registry.requests("GET", revoked[0])]
    assert statuses == [401, 200]  # refused once, then repeated with a new token


def test_invalid_token_after_a_fresh_one_is_not_repeated_again(
    hosted: Callable[..., Hosted],
) -> None:
    tokens = docker_hub_tokens(users={USER: PASSWORD})
    hub = hosted(DOCKER_HUB, tokens=tokens)
    img = random_image(14, layers=1)
    remote.write(hub.ref("library/app:v1"), img, **_opts())
    hub.front.before = lambda method, path: tokens.revoke_all() if "/manifests/" in path else None
    hub.registry.clear()

    with pytest.raises(transport.RegistryError) as info:
        remote.get(hub.ref("library/app:v1"), **_opts())

    assert info.value.status == 401
    assert [s.status for s in hub.registry.requests("GET", "/manifests/")] == [401, 401]


class _SlowToOpen(BlobLayer):
    """A layer whose stream takes a while to open (a file on a slow disk, a compressor)."""

    def __init__(self, data: bytes, delay: float) -> None:
        super().__init__(data)
        self.delay = delay

    def compressed(self) -> BinaryIO:
        time.sleep(self.delay)
        return super().compressed()


def test_token_past_expires_in_is_renewed_before_a_streamed_patch(
    hosted: Callable[..., Hosted],
) -> None:
    # Tokens live 1 s; the layer takes 1.2 s to open after the upload began, so the
    # PATCH would carry a dead token, and a streamed body cannot be sent twice.
    tokens = docker_hub_tokens(users={USER: PASSWORD})
    tokens.expires_in = 1
    hub = hosted(DOCKER_HUB, tokens=tokens)
    img = MemoryImage([_SlowToOpen(b"x" * 5000, delay=1.2)])

    remote.write(hub.ref("library/app:v1"), img, **_opts(jobs=1))

    assert remote.get(hub.ref("library/app:v1"), **_opts()).digest == img.digest()
    patches = hub.registry.requests("PATCH")
    assert patches
    assert all(s.status == 202 for s in patches)


def test_token_revoked_during_a_streamed_patch_resumes_the_upload(
    hosted: Callable[..., Hosted],
) -> None:
    # A token without expires_in, revoked by the registry while the upload runs: the
    # PATCH (a one-shot stream) is refused; the bearer layer has a new token by then.
    tokens = ghcr_tokens(users={USER: PASSWORD})
    reg = hosted(GHCR, tokens=tokens)
    revoked: list[str] = []

    def revoke_at_first_patch(method: str, path: str) -> None:
        if method == "PATCH" and not revoked:
            revoked.append(path)
            tokens.revoke_all()

    reg.front.before = revoke_at_first_patch
    img = random_image(15, layers=1, size=20_000)

    remote.write(reg.ref("octocat/app:v1"), img, **_opts(jobs=1))

    assert remote.get(reg.ref("octocat/app:v1"), **_opts()).digest == img.digest()
