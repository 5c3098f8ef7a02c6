"""Redaction of URLs, headers and text."""

from __future__ import annotations

import pytest

from containerregistry.transport import redact_headers, redact_url
from containerregistry.transport._redact import scrub_text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("https://r/v2/", "https://r/v2/", id="plain"),
        pytest.param("https://u:p@r/v2/", "https://REDACTED@r/v2/", id="userinfo"),
        pytest.param(
            "https://s3/b?X-Amz-Credential=k&X-Amz-Signature=s",
            "https://s3/b?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED",
            id="presigned",
        ),
        pytest.param(
            "https://r/v2/x/tags/list?n=10&last=a",
            "https://r/v2/x/tags/list?n=10&last=a",
            id="paging",
        ),
        pytest.param(
            "https://r/u?_state=abc&digest=sha256:0",
            "https://r/u?_state=REDACTED&digest=sha256:0",
            id="upload-state",
        ),
        pytest.param(
            "https://r/t?scope=repository:a:pull&service=s",
            "https://r/t?scope=repository:a:pull&service=s",
            id="token",
        ),
    ],
)
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redact_headers_keeps_scheme():
    out = redact_headers({"Authorization": "Bearer abc", "Cookie": "a=b", "Accept": "x"})
    assert out == {"Authorization": "Bearer REDACTED", "Cookie": "REDACTED", "Accept": "x"}


def test_scrub_text_redacts_urls_inside_messages():
    text = "Max retries exceeded with url: /blob?sig=abc (Caused by X)"
    assert "abc" not in scrub_text(text)
    assert "(Caused by X)" in scrub_text(text)
