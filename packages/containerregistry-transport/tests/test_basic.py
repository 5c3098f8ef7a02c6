"""Basic auth: only to the registry's own host."""

from __future__ import annotations

import pytest

from containerregistry import authn, transport
from containerregistry.name import new_registry


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(
            authn.AuthConfig(username="a", password="b"), "Basic YTpi", id="user-password"
        ),
        pytest.param(authn.AuthConfig(auth="YTpi"), "Basic YTpi", id="auth-field"),
        pytest.param(authn.AuthConfig(registry_token="t"), "Bearer t", id="registry-token"),
        pytest.param(authn.AuthConfig(), None, id="anonymous"),
    ],
)
def test_authorization_header(config, expected):
    assert transport.authorization_header(config) == expected


def test_credentials_never_follow_a_redirect_to_another_host(serve, kit):
    store = serve(lambda seen: kit.Reply(200, body=b"blob"))

    def registry(seen):
        if seen.authorization != kit.basic("alice", "pw"):
            return kit.Reply(401, {"WWW-Authenticate": 'Basic realm="r"'})
        if seen.route == "/v2/":
            return kit.Reply(200)
        return kit.Reply(307, {"Location": f"{store.url}/blob"})

    reg = serve(registry)
    session = transport.new(new_registry(reg.host), authn.Basic("alice", "pw"))
    assert session.get(session.url("/v2/foo/blobs/sha256:0")).content == b"blob"
    assert reg.seen[-1].authorization == kit.basic("alice", "pw")
    assert "authorization" not in store.seen[0].headers
