"""The debug log: what is shown and what never is."""

from __future__ import annotations

import json
import logging

import pytest
import requests

from containerregistry.transport import LoggerLayer, redacting
from containerregistry.transport._logger import describe_body


def _session():
    session = requests.Session()
    session.mount("http://", LoggerLayer(requests.adapters.HTTPAdapter()))
    return session


def test_request_and_response_are_logged_redacted(serve, kit, caplog):
    body = json.dumps({"token": "tok-secret", "schemaVersion": 2}).encode()
    server = serve(lambda seen: kit.Reply(200, {"Content-Type": "application/json"}, body))
    with caplog.at_level(logging.DEBUG, logger="containerregistry.debug"):
        _session().get(
            server.url + "/v2/?sig=q-secret", headers={"Authorization": "Basic c2VjcmV0"}
        )
    text = caplog.text
    assert "--> GET" in text
    assert "<-- 200 GET" in text
    assert "Authorization: Basic REDACTED" in text
    assert '"schemaVersion": 2' in text
    for secret in ("tok-secret", "q-secret", "c2VjcmV0"):
        assert secret not in text


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        pytest.param(
            b"\x1f\x8b" * 10,
            "application/octet-stream",
            "<20 bytes of application/octet-stream not logged>",
            id="blob",
        ),
        pytest.param(
            b"grant_type=password&password=p&scope=s",
            "application/x-www-form-urlencoded",
            "grant_type=password&password=REDACTED&scope=s",
            id="form",
        ),
        pytest.param(
            b'{"refresh_token":"r","a":[{"password":"p"}]}',
            "application/json",
            '{"refresh_token": "REDACTED", "a": [{"password": "REDACTED"}]}',
            id="nested-json",
        ),
        pytest.param(
            b"x" * 10000,
            "application/json",
            "<10000 bytes of application/json not logged>",
            id="too-big",
        ),
        pytest.param(None, "", "", id="none"),
    ],
)
def test_describe_body(body, content_type, expected):
    assert describe_body(body, content_type) == expected


def test_redacting_block_hides_every_body():
    with redacting("token exchange"):
        assert describe_body(b'{"a":1}', "application/json") == "<7 bytes redacted: token exchange>"


def test_nothing_is_built_when_disabled(serve, kit, caplog):
    server = serve(lambda seen: kit.Reply(200))
    with caplog.at_level(logging.INFO, logger="containerregistry.debug"):
        _session().get(server.url)
    assert caplog.records == []
