"""RegistryError: parsing, messages and the temporary table."""

from __future__ import annotations

import json

import pytest
import requests

from containerregistry import transport
from containerregistry.errors import ContainerRegistryError


def _error(serve, kit, status, body=b"", method="GET", path="/v2/foo/manifests/latest"):
    server = serve(lambda seen: kit.Reply(status, {"Content-Type": "application/json"}, body))
    response = requests.request(method, server.url + path)
    return transport.error_from_response(response)


def test_oci_errors_are_parsed(serve, kit):
    body = json.dumps(
        {
            "errors": [
                {"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": {"tag": "x"}},
                {"code": "NAME_UNKNOWN", "message": "no repo"},
            ]
        }
    ).encode()
    err = _error(serve, kit, 404, body)
    assert isinstance(err, ContainerRegistryError)
    assert err.status == 404
    assert err.codes == ("MANIFEST_UNKNOWN", "NAME_UNKNOWN")
    assert err.errors[0].detail == {"tag": "x"}
    assert str(err).endswith(
        'multiple errors returned: MANIFEST_UNKNOWN: manifest unknown; {"tag": "x"}; '
        "NAME_UNKNOWN: no repo"
    )
    assert err.method == "GET"


@pytest.mark.parametrize(
    ("status", "codes", "temporary"),
    [
        pytest.param(500, [], True, id="500"),
        pytest.param(429, [], True, id="429"),
        pytest.param(499, [], False, id="499-retried-but-not-temporary"),
        pytest.param(404, [], False, id="404"),
        pytest.param(400, ["BLOB_UPLOAD_INVALID"], True, id="upload-invalid"),
        pytest.param(503, ["UNAVAILABLE", "TOOMANYREQUESTS"], True, id="all-temporary"),
        pytest.param(500, ["UNKNOWN", "DENIED"], False, id="one-permanent-code"),
    ],
)
def test_temporary_table(status, codes, temporary):
    err = transport.RegistryError(status, errors=tuple(transport.Diagnostic(c) for c in codes))
    assert err.temporary is temporary


def test_plain_body_and_head_messages(serve, kit):
    assert str(_error(serve, kit, 502, b"bad gateway")).endswith(
        "unexpected status code 502 Bad Gateway: bad gateway"
    )
    head = _error(serve, kit, 404, method="HEAD")
    assert "HEAD responses have no body" in str(head)


@pytest.mark.parametrize(
    ("status", "header", "expected"),
    [
        pytest.param(429, "7", 7.0, id="429-seconds"),
        pytest.param(503, "120", 120.0, id="503-seconds"),
        pytest.param(429, "Thu, 01 Jan 1970 00:00:00 GMT", 0.0, id="429-date-in-the-past"),
        pytest.param(429, "", None, id="429-without-header"),
        pytest.param(429, "soon", None, id="429-unparseable"),
        pytest.param(500, "7", None, id="500-ignores-header"),
    ],
)
def test_retry_after_is_kept(serve, kit, status, header, expected):
    headers = {"Content-Type": "application/json"} | ({"Retry-After": header} if header else {})
    server = serve(lambda seen: kit.Reply(status, headers, b'{"errors":[]}'))
    err = transport.error_from_response(requests.get(server.url + "/v2/"))
    assert err.status == status
    assert err.retry_after == expected


def test_url_in_message_is_redacted(serve, kit):
    err = _error(serve, kit, 403, path="/blob?X-Amz-Signature=s3cr3t&digest=sha256:ab")
    assert "s3cr3t" not in str(err)
    assert "X-Amz-Signature=REDACTED" in err.url
    assert "digest=sha256:ab" in err.url


def test_body_is_read_up_to_64k(serve, kit):
    err = _error(serve, kit, 500, b"x" * (200 * 1024))
    assert len(str(err)) < 1000


def test_check_response_passes_expected_codes(serve, kit):
    server = serve(lambda seen: kit.Reply(202))
    response = requests.get(server.url)
    assert transport.check_response(response, 200, 202) is response
    with pytest.raises(transport.RegistryError):
        transport.check_response(response, 200)
