"""WWW-Authenticate parsing."""

from __future__ import annotations

import pytest

from containerregistry.transport import Challenge, parse_challenges, pick


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io"'],
            [
                Challenge(
                    "bearer",
                    {"realm": "https://auth.docker.io/token", "service": "registry.docker.io"},
                )
            ],
            id="docker-hub",
        ),
        pytest.param(
            ['Bearer realm="r",scope="repository:a:pull,push repository:b:pull"'],
            [
                Challenge(
                    "bearer", {"realm": "r", "scope": "repository:a:pull,push repository:b:pull"}
                )
            ],
            id="comma-inside-quotes",
        ),
        pytest.param(
            ['Basic realm="a", Bearer realm="b", error="insufficient_scope"'],
            [
                Challenge("basic", {"realm": "a"}),
                Challenge("bearer", {"realm": "b", "error": "insufficient_scope"}),
            ],
            id="two-in-one-header",
        ),
        pytest.param(
            ["Negotiate", 'BASIC Realm="x"'],
            [Challenge("negotiate"), Challenge("basic", {"realm": "x"})],
            id="two-headers-case-folded",
        ),
        pytest.param(
            ['Bearer realm="a\\"b"'], [Challenge("bearer", {"realm": 'a"b'})], id="escape"
        ),
        pytest.param(
            ["Bearer realm=unquoted, service=s"],
            [Challenge("bearer", {"realm": "unquoted", "service": "s"})],
            id="tokens",
        ),
        pytest.param(
            ["Negotiate YWJj==, Basic"], [Challenge("negotiate"), Challenge("basic")], id="token68"
        ),
        pytest.param([""], [], id="empty"),
    ],
)
def test_parse(values, expected):
    assert parse_challenges(values) == expected


def test_scopes_are_split():
    (challenge,) = parse_challenges(['Bearer scope="a b"'])
    assert challenge.scopes == ("a", "b")


def test_pick_prefers_supported_schemes():
    negotiate, basic = parse_challenges(["Negotiate, Basic"])
    assert pick([negotiate, basic]) is basic
    assert pick([negotiate]) is None
