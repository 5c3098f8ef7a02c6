"""``list_tags``, ``catalog`` and ``catalog_page``: paged listings that follow ``Link``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urljoin, urlsplit

from containerregistry import name
from containerregistry.remote._errors import RemoteError
from containerregistry.remote._options import OptionArgs, Options
from containerregistry.transport import RegistrySession, check_response, redact_url
from containerregistry.transport._scheme import canonical_address

if TYPE_CHECKING:
    from typing_extensions import Unpack

#: ``<url>; rel="next"``: only the text between the first ``<`` and ``>`` is used.
_LINK = re.compile(r"<([^>]*)>")


def _next_url(session: RegistrySession, current: str, link: str | None) -> str | None:
    """The next page's URL from a ``Link`` header, if it stays on the registry."""
    if not link:
        return None
    match = _LINK.search(link)
    if match is None:
        return None
    target: str = urljoin(current, match.group(1))
    here, there = urlsplit(current), urlsplit(target)
    if there.scheme != here.scheme or canonical_address(
        there.netloc, there.scheme
    ) != canonical_address(here.netloc, here.scheme):
        raise RemoteError(
            f"the registry's next-page link {redact_url(target)} leaves "
            f"{here.scheme}://{here.netloc}; refusing to follow it"
        )
    return target


def _pages(session: RegistrySession, url: str, key: str) -> Iterator[list[str]]:
    next_url: str | None = url
    while next_url is not None:
        response = session.get(next_url, headers={"Accept": "application/json"})
        check_response(response, 200)
        data: Any = response.json()
        values = data.get(key) if isinstance(data, dict) else None
        yield [v for v in values or [] if isinstance(v, str)]
        next_url = _next_url(session, next_url, response.headers.get("Link"))


def list_tags(repository: name.Repository, **options: Unpack[OptionArgs]) -> list[str]:
    """Return every tag of ``repository``, following ``Link`` pages (page_size = 1000).

    A next-page link to another scheme or host is refused with :class:`RemoteError`.
    """
    opts = Options.make(options)
    session = opts.session(repository, [repository.scope("pull")])
    query = f"?{urlencode({'n': opts.page_size})}" if opts.page_size else ""
    url = session.url(f"/v2/{repository.repository_str}/tags/list{query}")
    tags: list[str] = []
    for page in _pages(session, url, "tags"):
        tags.extend(page)
    return tags


def catalog(registry: name.Registry, **options: Unpack[OptionArgs]) -> list[str]:
    """Return every repository of ``registry`` from ``/v2/_catalog``, following pages."""
    opts = Options.make(options)
    session = opts.session(registry, [registry.scope("*")])
    query = f"?{urlencode({'n': opts.page_size})}" if opts.page_size else ""
    repositories: list[str] = []
    for page in _pages(session, session.url(f"/v2/_catalog{query}"), "repositories"):
        repositories.extend(page)
    return repositories


def catalog_page(
    registry: name.Registry, last: str, n: int, **options: Unpack[OptionArgs]
) -> list[str]:
    """Return one page: up to ``n`` repositories after ``last`` (``""``: from the start)."""
    opts = Options.make(options)
    session = opts.session(registry, [registry.scope("*")])
    params = {"n": n, **({"last": last} if last else {})}
    response = session.get(session.url(f"/v2/_catalog?{urlencode(params)}"))
    check_response(response, 200)
    data: Any = response.json()
    values = data.get("repositories") if isinstance(data, dict) else None
    return [v for v in values or [] if isinstance(v, str)]
