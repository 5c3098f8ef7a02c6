"""GHCR as its users meet it: anonymous pull tokens, no referrers API.

Behaviour reproduced (GitHub docs "Working with the Container registry"; oras and
cosign issues about GHCR's missing referrers API):

- ghcr.io/token hands anonymous pull tokens (``{"token": ...}`` only) for public
  packages; pushing needs a user and a PAT;
- ``GET /v2/<name>/referrers/<digest>`` answers 404: signatures and SBOMs are found
  and kept through the ``sha256-<hex>`` tag schema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hosted_standins import GHCR, Hosted, ghcr_tokens, standins
from remote_testkit import FAST_RETRY, random_image

from containerregistry import authn, name, remote
from containerregistry.v1 import Descriptor

USER, PAT = "octocat", "ghp_0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _push(**extra: Any) -> dict[str, Any]:
    return {"authenticator": authn.Basic(USER, PAT), "retry": FAST_RETRY, **extra}


def test_ghcr_without_referrers_api_uses_the_tag_schema(hosted: Callable[..., Hosted]) -> None:
    reg = hosted(GHCR, tokens=ghcr_tokens(users={USER: PAT}), referrers=False)
    subject = random_image(50)
    remote.write(reg.ref("octocat/app:v1"), subject, **_push())
    desc = Descriptor(media_type=subject.media_type(), size=subject.size(), digest=subject.digest())
    signature = random_image(51, layers=1, size=64, subject=desc, artifact_type="application/x.sig")

    remote.write(reg.ref(f"octocat/app@{signature.digest()}"), signature, **_push())
    found = remote.referrers(
        name.new_digest(f"{reg.host}/octocat/app@{subject.digest()}"), retry=FAST_RETRY
    )

    assert [d.digest for d in found.manifests or ()] == [signature.digest()]
    probes = reg.registry.requests("GET", "/referrers/")
    assert probes
    assert all(s.status == 404 for s in probes)
    tag = remote.fallback_tag(subject.digest())
    assert [s.status for s in reg.registry.requests("PUT", f"/manifests/{tag}")] == [201]
    assert remote.head(reg.ref(f"octocat/app:{tag}"), retry=FAST_RETRY).digest is not None
