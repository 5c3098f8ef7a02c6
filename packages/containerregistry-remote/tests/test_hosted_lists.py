"""Tag and catalog listings as hosted registries page them.

Behaviour reproduced (distribution spec "Listing Tags"; ggcr's pagination fixes):

- GHCR and Docker Hub cap a page whatever ``n`` asks (GHCR: 100), and name the next
  page in a relative ``Link``;
- Quay and Artifactory put an absolute URL in ``Link``;
- some registries (ECR's ``n`` above 1000, older Nexus) ignore ``n`` and send all at once.

A client that stops when a page is shorter than ``n``, or that only reads relative
links, loses entries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from hosted_standins import GHCR, Hosted, Quirks, standins
from remote_testkit import FAST_RETRY, random_image

from containerregistry import name, remote

TAGS = [f"v{i:02d}" for i in range(12)]
REPOS = [f"team/app{i:02d}" for i in range(7)]


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _seeded(start: Callable[..., Hosted], quirks: Quirks) -> Hosted:
    reg = start(Quirks())
    img = random_image(30, layers=1, size=64)
    remote.write(reg.ref(f"team/app00:{TAGS[0]}"), img, retry=FAST_RETRY)
    desc = remote.get(reg.ref(f"team/app00:{TAGS[0]}"), retry=FAST_RETRY)
    for tag in TAGS[1:]:
        remote.tag(reg.ref(f"team/app00:{tag}"), desc, retry=FAST_RETRY)  # type: ignore[arg-type]
    for repo in REPOS[1:]:
        remote.write(reg.ref(f"{repo}:v1"), img, retry=FAST_RETRY)
    reg.front.quirks = quirks
    reg.registry.clear()
    return reg


@pytest.mark.parametrize(
    ("quirks", "page_size", "pages"),
    [
        pytest.param(dataclasses.replace(GHCR, page_cap=5), 1000, 3, id="ghcr-capped-relative"),
        pytest.param(Quirks(page_cap=5), 0, 3, id="capped-without-n"),
        pytest.param(Quirks(absolute_links=True), 4, 3, id="quay-absolute-link"),
        pytest.param(Quirks(page_cap=5, absolute_links=True), 1000, 3, id="capped-absolute"),
        pytest.param(Quirks(ignore_n=True), 2, 1, id="n-ignored"),
    ],
)
def test_tags_pages_are_complete(
    hosted: Callable[..., Hosted], quirks: Quirks, page_size: int, pages: int
) -> None:
    reg = _seeded(hosted, quirks)

    found = remote.list_tags(reg.repo("team/app00"), page_size=page_size, retry=FAST_RETRY)

    assert found == TAGS
    assert len(reg.registry.requests("GET", "/tags/list")) == pages


@pytest.mark.parametrize(
    ("quirks", "pages"),
    [
        pytest.param(dataclasses.replace(GHCR, page_cap=3), 3, id="capped-relative"),
        pytest.param(Quirks(page_cap=3, absolute_links=True), 3, id="capped-absolute"),
        pytest.param(Quirks(ignore_n=True), 1, id="n-ignored"),
    ],
)
def test_catalog_pages_are_complete(
    hosted: Callable[..., Hosted], quirks: Quirks, pages: int
) -> None:
    reg = _seeded(hosted, quirks)

    found = remote.catalog(name.new_registry(reg.host), page_size=100, retry=FAST_RETRY)

    assert found == REPOS
    assert len(reg.registry.requests("GET", "/_catalog")) == pages
