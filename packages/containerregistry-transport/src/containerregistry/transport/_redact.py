"""Redaction of URLs, headers and free text before they reach a log or a message."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

#: Query parameters that carry nothing secret and help to read a log. Every other
#: value is redacted: pre-signed blob URLs (S3, GCS, Azure) put their signatures and
#: credentials in the query, under names we cannot list in advance.
_SAFE_QUERY_KEYS = frozenset(
    {"n", "last", "digest", "mount", "from", "origin", "scope", "service", "tag", "artifactType"}
)

#: Headers whose values are credentials.
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-registry-auth"}
)

_URL_IN_TEXT = re.compile(r"(?:https?://[^\s'\"<>]+|/[^\s'\"<>?]*\?[^\s'\"<>)]+)")


def redact_url(url: str) -> str:
    """Return ``url`` with any user info and every non-allowlisted query value redacted."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, v if k in _SAFE_QUERY_KEYS else REDACTED) for k, v in pairs], safe=":/,*"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return a copy of ``headers`` with credential values replaced.

    ``Authorization: Bearer abc`` becomes ``Authorization: Bearer REDACTED`` so the log
    still shows which scheme was used.
    """
    out: dict[str, str] = {}
    for key, value in headers.items():
        if key.lower() in _SECRET_HEADERS:
            scheme, sep, _ = str(value).partition(" ")
            out[key] = (
                f"{scheme} {REDACTED}"
                if sep and key.lower().endswith("authorization")
                else REDACTED
            )
        else:
            out[key] = str(value)
    return out


def scrub_text(text: str) -> str:
    """Redact URLs found inside free text (e.g. a urllib3 error naming the failed URL)."""
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
