"""Manifest HEADs that hosted registries answer badly, while GET works.

Behaviour reproduced (go-containerregistry #971, crossplane #3223, merll/docker-registry-util #3):

- Harbor proxy-cache projects answer a HEAD of a manifest not yet cached with 404;
  the GET pulls it through and answers 200.
- Nexus (and proxies in front of registries) answer HEAD on manifests with 405.
- registry.access.redhat.com answers without ``Docker-Content-Digest``: the digest is
  computed from the manifest bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from hosted_standins import HARBOR, Hosted, Quirks, standins
from remote_testkit import FAST_RETRY, random_image

from containerregistry import remote, transport


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _seeded(start: Callable[..., Hosted], quirks: Quirks) -> tuple[Hosted, str]:
    reg = start(Quirks())
    img = random_image(20, layers=1)
    remote.write(reg.ref("proxy/app:v1"), img, retry=FAST_RETRY)
    reg.front.quirks = quirks  # from here on the registry behaves as the hosted one
    reg.registry.clear()
    return reg, str(img.digest())


@pytest.mark.parametrize(
    "quirks",
    [
        pytest.param(dataclasses.replace(HARBOR, manifest_head=404), id="harbor-proxy-cache-404"),
        pytest.param(Quirks(manifest_head=405), id="nexus-405"),
        pytest.param(Quirks(manifest_digest_header=False), id="redhat-no-digest-header"),
    ],
)
def test_head_falls_back_to_get(hosted: Callable[..., Hosted], quirks: Quirks) -> None:
    reg, digest = _seeded(hosted, quirks)

    found = remote.head(reg.ref("proxy/app:v1"), retry=FAST_RETRY)

    assert str(found.digest) == digest
    assert [s.method for s in reg.registry.requests(contains="/manifests/")] == ["HEAD", "GET"]


def test_harbor_head_404_then_get_404_is_still_not_found(hosted: Callable[..., Hosted]) -> None:
    reg, _ = _seeded(hosted, dataclasses.replace(HARBOR, manifest_head=404))

    with pytest.raises(transport.RegistryError) as info:
        remote.head(reg.ref("proxy/app:missing"), retry=FAST_RETRY)

    assert info.value.status == 404


def test_get_without_docker_content_digest_computes_it(hosted: Callable[..., Hosted]) -> None:
    reg, digest = _seeded(hosted, Quirks(manifest_digest_header=False))

    found = remote.get(reg.ref("proxy/app:v1"), retry=FAST_RETRY)

    assert str(found.digest) == digest
    assert found.size == len(found.raw_manifest())
