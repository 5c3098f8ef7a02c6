"""Listing: tags and catalog pages follow Link on the same scheme and host only."""

from __future__ import annotations

from typing import Any

import pytest
from remote_testkit import FAST_RETRY, Served, random_image

from containerregistry import name, remote

OPTS: dict[str, Any] = {"retry": FAST_RETRY}


def _tags(registry: Served, count: int) -> list[str]:
    img = random_image(1, layers=1, size=100)
    remote.write(registry.ref("app:t0"), img, **OPTS)
    desc = remote.get(registry.ref("app:t0"), **OPTS)
    tags = [f"t{i}" for i in range(count)]
    for tag in tags[1:]:
        remote.tag(registry.ref(f"app:{tag}"), desc, **OPTS)  # type: ignore[arg-type]
    registry.recorder.clear()
    return tags


@pytest.mark.parametrize(
    ("count", "page_size", "gets"),
    [
        pytest.param(5, 2, 3, id="three-pages"),
        pytest.param(4, 2, 2, id="exact-pages"),
        pytest.param(5, 1000, 1, id="one-page"),
        pytest.param(5, 0, 1, id="no-n"),
    ],
)
def test_list_tags_follows_pages(registry: Served, count: int, page_size: int, gets: int) -> None:
    tags = _tags(registry, count)
    found = remote.list_tags(registry.repo("app"), page_size=page_size, **OPTS)
    assert sorted(found) == sorted(tags)
    seen = registry.recorder.requests("GET", "/tags/list")
    assert len(seen) == gets
    assert seen[0].arg("n") == (str(page_size) if page_size else None)


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(
            '<https://{host}/v2/app/tags/list?n=2&last=t1>; rel="next"', id="other-scheme"
        ),
        pytest.param('<http://evil.example/v2/app/tags/list?n=2>; rel="next"', id="other-host"),
    ],
)
def test_a_link_off_the_registry_is_refused(registry: Served, link: str) -> None:
    _tags(registry, 5)
    registry.recorder.rewrite_headers = lambda headers: [
        (k, link.format(host=registry.host) if k == "Link" else v) for k, v in headers
    ]
    with pytest.raises(remote.RemoteError, match="refusing to follow"):
        remote.list_tags(registry.repo("app"), page_size=2, **OPTS)


def test_catalog_and_catalog_page(registry: Served) -> None:
    img = random_image(2, layers=1, size=100)
    for repo in ["aa", "b/c", "dd", "ee"]:
        remote.write(registry.ref(f"{repo}:v1"), img, **OPTS)
    reg = name.new_registry(registry.host)
    assert remote.catalog(reg, page_size=3, **OPTS) == ["aa", "b/c", "dd", "ee"]
    assert len(registry.recorder.requests("GET", "/_catalog")) == 2
    assert remote.catalog_page(reg, "b/c", 1, **OPTS) == ["dd"]
    assert remote.catalog_page(reg, "", 2, **OPTS) == ["aa", "b/c"]
