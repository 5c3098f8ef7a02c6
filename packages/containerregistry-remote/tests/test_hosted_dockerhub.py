"""Docker Hub as its users meet it: tokens from auth.docker.io, blobs from a CDN, the pull limit.

Behaviour reproduced (docs.docker.com "Token authentication specification", "Docker Hub
usage and limits"; ggcr and oras issues about S3 refusing a second auth mechanism):

- the challenge's realm is another host (auth.docker.io), service ``registry.docker.io``;
  the token answer holds ``token`` and ``access_token`` and ``expires_in: 300``;
- a push challenge names ``scope="repository:<name>:pull,push"``: a comma inside quotes;
- blob GETs answer 307 to a presigned URL on object storage, which answers 400
  ``InvalidArgument`` to any request that also carries ``Authorization``;
- past the pull limit, manifest GETs answer 429 ``TOOMANYREQUESTS`` with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hosted_standins import DOCKER_HUB, Hosted, docker_hub_tokens, standins
from remote_testkit import FAST_RETRY, random_image

from containerregistry import authn, remote, transport
from containerregistry.transport import Retry

USER, PASSWORD = "moby", "s3cret-Pass"


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _hub(start: Callable[..., Hosted]) -> Hosted:
    return start(DOCKER_HUB, tokens=docker_hub_tokens(users={USER: PASSWORD}), blob_store=True)


def _opts(**extra: Any) -> dict[str, Any]:
    return {"authenticator": authn.Basic(USER, PASSWORD), "retry": FAST_RETRY, **extra}


def test_dockerhub_token_realm_on_other_host(hosted: Callable[..., Hosted]) -> None:
    hub = _hub(hosted)
    img = random_image(1)
    remote.write(hub.ref("library/app:v1"), img, **_opts())

    assert remote.get(hub.ref("library/app:v1"), **_opts()).digest == img.digest()
    assert hub.token_server is not None
    token_requests = hub.token_server.requests("GET", "/token")
    assert token_requests, "no token was asked for"
    for seen in token_requests:
        assert seen.arg("service") == "registry.docker.io"
        assert seen.headers.get("Authorization", "").startswith("Basic ")
    # The password goes to the token host only; the registry sees bearer tokens.
    registry_auth = {s.headers.get("Authorization", "").split(" ")[0] for s in hub.registry.seen}
    assert registry_auth <= {"", "Bearer"}
    assert all(s.status != 401 for s in hub.registry.seen if s.path != "/v2/")


def test_dockerhub_scope_with_quoted_comma_is_one_scope(hosted: Callable[..., Hosted]) -> None:
    hub = _hub(hosted)
    img = random_image(2, layers=1)
    remote.write(hub.ref("library/app:v1"), img, **_opts())
    # A session that holds only a pull token, then writes: the registry's challenge
    # names scope="repository:library/app:pull,push".
    repo = hub.repo("library/app")
    session = transport.new(
        repo.registry, authn.Basic(USER, PASSWORD), scopes=[repo.scope("pull")], retry=FAST_RETRY
    )
    assert hub.token_server is not None
    hub.token_server.clear()
    url = session.url("/v2/library/app/manifests/v2")
    response = session.put(url, data=img.raw_manifest(), headers={"Content-Type": img.media_type()})

    assert response.status_code == 201
    (asked,) = hub.token_server.requests("GET", "/token")
    from urllib.parse import parse_qs

    assert parse_qs(asked.query)["scope"][0] == "repository:library/app:pull,push"
    assert remote.head(hub.ref("library/app:v2"), **_opts()).digest == img.digest()


def test_dockerhub_blob_redirect_sends_no_credentials_to_the_store(
    hosted: Callable[..., Hosted],
) -> None:
    hub = _hub(hosted)
    img = random_image(3, layers=2, size=50_000)
    remote.write(hub.ref("library/app:v1"), img, **_opts())

    pulled = remote.image(hub.ref("library/app:v1"), **_opts())
    blobs = {str(layer.digest()): layer.compressed().read() for layer in pulled.layers()}

    assert blobs == {str(lay.digest()): lay.blob for lay in img.layers()}  # type: ignore[attr-defined]
    assert pulled.raw_config_file() == img.raw_config_file()
    redirects = [s for s in hub.registry.requests("GET", "/blobs/") if s.status == 307]
    assert len(redirects) == 3  # two layers and the config
    assert hub.blob_store is not None
    fetched = hub.blob_store.requests("GET")
    assert len(fetched) == 3
    assert all(s.status == 200 and "Authorization" not in s.headers for s in fetched)


def test_dockerhub_pull_limit_429_waits_retry_after(hosted: Callable[..., Hosted]) -> None:
    hub = _hub(hosted)
    img = random_image(4, layers=1)
    remote.write(hub.ref("library/app:v1"), img, **_opts())
    hub.front.quirks.rate_limited_manifest_gets = 1
    waits: list[float] = []

    found = remote.get(hub.ref("library/app:v1"), **_opts(retry=Retry(sleep=waits.append)))

    assert found.digest == img.digest()
    statuses = [s.status for s in hub.registry.requests("GET", "/manifests/")]
    assert statuses[-2:] == [429, 200]
    assert waits == [1.0]  # the Retry-After: 1 the registry asked for
