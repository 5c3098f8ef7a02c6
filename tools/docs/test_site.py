"""The built site in a real browser: every internal link and anchor resolves, no page
has a script error, search answers, and screenshots are kept as build artefacts.

Run by `nox -s docs` after `mkdocs build` (into site/); screenshots go to
site-artifacts/ (both ignored by git). Needs Debian's chromium
(tools/docs/ensure-chromium installs it).
"""

from __future__ import annotations

import collections
import functools
import http.server
import os
import pathlib
import shutil
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
SITE = pathlib.Path(os.environ.get("CR_SITE_DIR", ROOT / "site"))
ARTIFACTS = pathlib.Path(os.environ.get("CR_SITE_ARTIFACTS", ROOT / "site-artifacts"))
#: Pages the crawl must reach from the home page: the guide, each reference, the table.
EXPECTED_PAGES = [
    "/",
    "/guide/install/",
    "/guide/copy/",
    "/guide/registry/",
    "/guide/pytest/",
    "/cli/crane/",
    "/cli/gcrane/",
    "/cli/kcrane/",
    "/api/",
    "/api/containerregistry-core/",
    "/api/containerregistry-registry/",
    "/api/containerregistry-crane/",
    "/api/pytest-containerregistry/",
    "/benchmarks/",
]
API_PAGE = "/api/containerregistry-registry/"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """The built site served over HTTP on loopback (directory URLs need a server)."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built site in {SITE}; run `nox -s docs` (mkdocs build) first")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed; run tools/docs/ensure-chromium as root")
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


Link = collections.namedtuple("Link", "source target fragment")


def _crawl(page: Page, base: str) -> tuple[dict[str, set[str]], list[Link], list[str]]:
    """Visit every page reachable from the home page; return each page's element ids,
    every internal link, and the problems met on the way (status, script errors)."""
    origin = urllib.parse.urlsplit(base)
    problems: list[str] = []
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    ids: dict[str, set[str]] = {}
    links: list[Link] = []
    queue = collections.deque(["/"])
    seen = {"/"}
    while queue:
        path = queue.popleft()
        script_errors.clear()
        response = page.goto(base + path, wait_until="load")
        if response is None or response.status != 200:
            status = response.status if response else "no response"
            problems.append(f"{path}: HTTP {status}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        ids[path] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        ids[path] |= set(page.eval_on_selector_all("a[name]", "els => els.map(e => e.name)"))
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            parts = urllib.parse.urlsplit(href)
            if (parts.scheme, parts.netloc) != (origin.scheme, origin.netloc):
                continue
            target = parts.path or "/"
            links.append(Link(path, target, urllib.parse.unquote(parts.fragment)))
            if target not in seen:
                seen.add(target)
                queue.append(target)
        problems += [f"{path}: script error: {error}" for error in script_errors]
    return ids, links, problems


def test_every_internal_link_and_anchor_resolves(page: Page, site_url: str) -> None:
    ids, links, problems = _crawl(page, site_url)
    for link in links:
        if link.target not in ids:
            continue  # not a page (an asset) or already reported with its status
        if link.fragment and link.fragment not in ids[link.target]:
            problems.append(f"{link.source}: link to {link.target}#{link.fragment}: no such anchor")
    missing = [path for path in EXPECTED_PAGES if path not in ids]
    assert missing == [], f"pages not reachable from the home page: {missing}"
    assert problems == [], "\n".join(problems)
    assert len(links) > 1000  # the navigation alone links every page from every page


def test_search_finds_a_recipe(page: Page, site_url: str) -> None:
    page.goto(site_url + "/", wait_until="load")
    search = page.locator("input.md-search__input")
    search.click()
    results = page.locator(".md-search-result__item a")
    # Typed key by key: the theme reads keyboard events, not only input events. The
    # index loads in a web worker, and a query typed before it is ready gets no
    # answer, so type it again until one comes (a busy machine takes a while).
    for _ in range(20):
        search.fill("")
        search.press_sequentially("mirror")
        try:
            results.first.wait_for(timeout=3000)
            break
        except PlaywrightTimeoutError:
            continue
    found = [results.nth(i).get_attribute("href") or "" for i in range(results.count())]
    assert any("guide/mirror" in href for href in found), found


def _screenshot(page: Page, url: str, name: str) -> pathlib.Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    page.goto(url, wait_until="load")
    page.screenshot(path=str(target), full_page=False)
    return target


def test_home_page_screenshot(page: Page, site_url: str) -> None:
    shot = _screenshot(page, site_url + "/", "home.png")
    # The heading's text and its permalink mark.
    assert page.locator("h1").first.inner_text().rstrip("¶") == "containerregistry"
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


def test_api_page_renders_docstrings(page: Page, site_url: str) -> None:
    shot = _screenshot(page, site_url + API_PAGE, "api-registry.png")
    headings = page.locator(".doc-heading").all_inner_texts()
    assert any("make_server" in heading for heading in headings), headings[:20]
    assert any("TokenAuth" in heading for heading in headings), headings[:20]
    # Sphinx roles became code: none is left as text for a reader to see.
    assert ":class:`" not in page.locator("article").inner_text()
    assert shot.read_bytes().startswith(PNG_SIGNATURE)
