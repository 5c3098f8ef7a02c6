"""Host matching and the scheme layer."""

from __future__ import annotations

import pytest
import requests

from containerregistry.transport import SchemeLayer, canonical_address, matches_host
from containerregistry.transport._scheme import is_private_address


@pytest.mark.parametrize(
    ("netloc", "scheme", "expected"),
    [
        pytest.param("gcr.io", "https", "gcr.io:443", id="default-https"),
        pytest.param("GCR.io:443", "https", "gcr.io:443", id="explicit"),
        pytest.param("localhost", "http", "localhost:80", id="default-http"),
        pytest.param("[::1]:5000", "http", "[::1]:5000", id="ipv6-port"),
        pytest.param("::1", "https", "[::1]:443", id="bare-ipv6"),
        pytest.param("u:p@host:1", "https", "host:1", id="userinfo"),
    ],
)
def test_canonical_address(netloc, scheme, expected):
    assert canonical_address(netloc, scheme) == expected


@pytest.mark.parametrize(
    ("url", "registry", "expected"),
    [
        pytest.param("https://gcr.io:443/v2/", "gcr.io", True, id="same-with-port"),
        pytest.param("https://storage.googleapis.com/x", "gcr.io", False, id="other-host"),
        pytest.param("https://gcr.io:8443/v2/", "gcr.io", False, id="other-port"),
    ],
)
def test_matches_host(url, registry, expected):
    assert matches_host(url, registry, "https") is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("10.0.0.1", True),
        ("192.168.1.1", True),
        ("127.0.0.1", True),
        ("169.254.169.254", True),
        ("8.8.8.8", False),
        ("example.com", False),
        ("[::1]", True),
    ],
)
def test_private_addresses(host, expected):
    assert is_private_address(host) is expected


def test_https_urls_for_an_http_registry_are_rewritten(serve, kit):
    server = serve(lambda seen: kit.Reply(200, body=b"ok"))
    session = requests.Session()
    session.mount("https://", SchemeLayer(requests.adapters.HTTPAdapter(), server.host, "http"))
    assert session.get(f"https://{server.host}/v2/").text == "ok"
