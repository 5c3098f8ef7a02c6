"""Token exchange, refresh, scope escalation and foreign challenges, against real servers."""

from __future__ import annotations

import json
import logging

import pytest

from containerregistry import authn, transport
from containerregistry.name import new_registry

PASSWORD = "hunter2-secret"
REFRESH = "refresh-secret-xyz"
FAST = transport.Retry(backoff=0.0)


def _registry_and_auth(serve, kit, *, token_handler, scope="repository:foo:pull", accept=None):
    accept = accept or {"Bearer good"}
    auth = serve(token_handler)

    def registry(seen):
        if seen.authorization in accept:
            return kit.Reply(200, body=b"ok")
        challenge = f'Bearer realm="{auth.url}/token",service="reg.test"'
        if seen.route != "/v2/":
            challenge += f',scope="{scope}"'
        return kit.Reply(401, {"WWW-Authenticate": challenge})

    reg = serve(registry)
    return reg, auth


def test_get_flow_sends_scopes_service_and_basic_credentials(serve, kit):
    def token(seen):
        if seen.authorization == kit.basic("alice", PASSWORD):
            return kit.token_reply(token="good", expires_in=300)
        return kit.Reply(401)

    reg, auth = _registry_and_auth(serve, kit, token_handler=token)
    session = transport.new(
        new_registry(reg.host),
        authn.Basic("alice", PASSWORD),
        scopes=["repository:foo:pull", "repository:bar:pull"],
        retry=FAST,
    )
    assert session.scheme == "http"
    assert session.get(session.url("/v2/foo/tags/list")).text == "ok"
    (exchange,) = auth.seen
    assert exchange.method == "GET"
    assert exchange.query == {
        "scope": ["repository:foo:pull", "repository:bar:pull"],
        "service": ["reg.test"],
    }
    assert reg.seen[-1].authorization == "Bearer good"


@pytest.mark.parametrize(
    ("post_status", "expected_routes"),
    [
        pytest.param(200, ["POST /token"], id="oauth-post-accepted"),
        pytest.param(404, ["POST /token", "GET /token"], id="404-falls-back-to-get"),
        pytest.param(405, ["POST /token", "GET /token"], id="405-falls-back-to-get"),
    ],
)
def test_identity_token_uses_oauth_post(serve, kit, post_status, expected_routes):
    def token(seen):
        if seen.method == "POST":
            if post_status != 200:
                return kit.Reply(post_status)
            return kit.token_reply(access_token="good", refresh_token=REFRESH)
        return kit.token_reply(token="good")

    reg, auth = _registry_and_auth(serve, kit, token_handler=token)
    ident = authn.from_config(authn.AuthConfig(username="<token>", identity_token="idtok"))
    session = transport.new(new_registry(reg.host), ident, scopes=["repository:foo:pull"])
    assert session.get(session.url("/v2/foo/manifests/latest")).status_code == 200
    assert auth.routes() == expected_routes
    form = auth.seen[0].form
    assert form == {
        "grant_type": ["refresh_token"],
        "refresh_token": ["idtok"],
        "client_id": [transport.CLIENT_ID],
        "scope": ["repository:foo:pull"],
        "service": ["reg.test"],
    }


def test_refresh_token_from_server_is_used_for_the_next_exchange(serve, kit):
    tokens = iter(["first", "good"])

    def token(seen):
        return kit.token_reply(token=next(tokens), refresh_token=REFRESH)

    reg, auth = _registry_and_auth(serve, kit, token_handler=token)
    session = transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD), retry=FAST)
    # "first" is rejected by the registry: the layer refreshes with the refresh token.
    assert session.get(session.url("/v2/foo/manifests/latest")).status_code == 200
    assert auth.routes() == ["GET /token", "POST /token"]
    assert auth.seen[1].form["grant_type"] == ["refresh_token"]
    assert auth.seen[1].form["refresh_token"] == [REFRESH]
    assert "authorization" not in auth.seen[1].headers


def test_password_grant_when_asked(serve, kit):
    reg, auth = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.token_reply(token="good")
    )
    transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD), oauth_password=True)
    form = auth.seen[0].form
    assert form["grant_type"] == ["password"]
    assert form["username"] == ["alice"]
    assert form["password"] == [PASSWORD]
    assert form["access_type"] == ["offline"]


def test_scope_escalation_puts_the_new_scope_first(serve, kit):
    def token(seen):
        scopes = seen.query.get("scope", [])
        return kit.token_reply(token="good" if "repository:bar:push" in scopes else "weak")

    reg, auth = _registry_and_auth(serve, kit, token_handler=token, scope="repository:bar:push")
    session = transport.new(new_registry(reg.host), scopes=["repository:foo:pull"])
    assert session.post(session.url("/v2/bar/blobs/uploads/"), data=b"x").status_code == 200
    assert auth.seen[-1].query["scope"] == ["repository:bar:push", "repository:foo:pull"]
    assert session.bearer is not None
    assert session.bearer.scopes == ["repository:bar:push", "repository:foo:pull"]
    # The body was sent again with the retried request.
    assert [s.body for s in reg.seen if s.method == "POST"] == [b"x", b"x"]


def test_anonymous_exchange_sends_no_credentials(serve, kit):
    reg, auth = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.token_reply(token="good")
    )
    session = transport.new(new_registry(reg.host), scopes=["repository:foo:pull"])
    assert session.get(session.url("/v2/foo/tags/list")).status_code == 200
    assert all("authorization" not in s.headers for s in auth.seen)


def test_registry_token_is_sent_without_exchange(serve, kit):
    reg, auth = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.Reply(500), accept={"Bearer regtok"}
    )
    session = transport.new(new_registry(reg.host), authn.Bearer("regtok"))
    assert session.get(session.url("/v2/foo/tags/list")).status_code == 200
    assert auth.seen == []


def test_foreign_host_challenge_gets_its_own_anonymous_token(serve, kit):
    store_auth = serve(lambda seen: kit.token_reply(token="store-token"))

    def blob_store(seen):
        if seen.authorization == "Bearer store-token":
            return kit.Reply(200, body=b"blob")
        realm = f'Bearer realm="{store_auth.url}/t",scope="blob:read"'
        return kit.Reply(401, {"WWW-Authenticate": realm})

    store = serve(blob_store)
    auth = serve(lambda seen: kit.token_reply(token="good"))

    def registry(seen):
        if seen.authorization != "Bearer good":
            realm = f'Bearer realm="{auth.url}/token",service="reg"'
            return kit.Reply(401, {"WWW-Authenticate": realm})
        return kit.Reply(307, {"Location": f"{store.url}/blob/abc"})

    reg = serve(registry)
    session = transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD))
    assert session.get(session.url("/v2/foo/blobs/sha256:abc")).content == b"blob"
    assert [s.authorization for s in store.seen] == ["", "Bearer store-token"]
    assert store_auth.seen[0].query == {"scope": ["blob:read"]}
    assert "authorization" not in store_auth.seen[0].headers


@pytest.mark.parametrize(
    ("realm", "message"),
    [
        pytest.param("https://10.1.2.3/token", "private address 10.1.2.3", id="private-ip"),
        pytest.param("https://169.254.169.254/token", "private address", id="metadata"),
        pytest.param("ftp://example.com/token", "not an http", id="bad-scheme"),
        pytest.param("http://example.com/token", "plain http", id="http-for-secure"),
    ],
)
def test_validate_realm_refuses(realm, message):
    with pytest.raises(transport.TransportError, match=message):
        transport.validate_realm(realm, "registry.example.com", allow_http=False)


def test_validate_realm_allows_the_registrys_own_private_host():
    realm = "http://127.0.0.1:9/token"
    assert transport.validate_realm(realm, "127.0.0.1:5000", allow_http=True) == realm


def test_token_server_redirect_to_private_address_is_refused(serve, kit):
    reg, _ = _registry_and_auth(
        serve,
        kit,
        token_handler=lambda seen: kit.Reply(302, {"Location": "http://10.9.9.9/steal"}),
    )
    with pytest.raises(transport.TransportError, match=r"private address 10\.9\.9\.9"):
        transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD))


def test_rejected_credentials_raise_registry_error_without_secrets(serve, kit):
    body = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
    reg, _ = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.Reply(401, body=body.encode())
    )
    with pytest.raises(transport.RegistryError) as info:
        transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD), retry=FAST)
    assert info.value.status == 401
    assert info.value.codes == ("UNAUTHORIZED",)
    assert PASSWORD not in str(info.value)


def test_token_answer_without_token_names_keys_not_values(serve, kit):
    reg, _ = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.token_reply(refresh_token=REFRESH)
    )
    with pytest.raises(transport.TransportError, match="keys: refresh_token") as info:
        transport.new(new_registry(reg.host))
    assert REFRESH not in str(info.value)


def test_no_secret_reaches_the_debug_log(serve, kit, caplog):
    def token(seen):
        if seen.method == "POST":
            return kit.token_reply(access_token="good", refresh_token=REFRESH)
        return kit.token_reply(token="good")

    reg, _ = _registry_and_auth(serve, kit, token_handler=token)
    ident = authn.from_config(authn.AuthConfig(identity_token="identity-secret"))
    with caplog.at_level(logging.DEBUG, logger="containerregistry.debug"):
        session = transport.new(new_registry(reg.host), ident)
        session.get(session.url("/v2/foo/tags/list"))
        transport.new(new_registry(reg.host), authn.Basic("alice", PASSWORD))
    text = caplog.text
    assert "Authorization: Bearer REDACTED" in text
    for secret in ("identity-secret", REFRESH, PASSWORD, '"good"', "Bearer good"):
        assert secret not in text


def test_exchange_returns_a_token_for_other_scopes(serve, kit):
    reg, auth = _registry_and_auth(
        serve, kit, token_handler=lambda seen: kit.token_reply(token="good", expires_in=60)
    )
    session = transport.new(new_registry(reg.host), scopes=["repository:foo:pull"])
    token = session.exchange(["repository:foo:push,pull"])
    assert token == transport.Token(token="good", expires_in=60)
    assert auth.seen[-1].query["scope"] == ["repository:foo:push,pull"]


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        pytest.param(
            transport.Token(token="a", refresh_token="r", expires_in=5),
            b'{"token":"a","refresh_token":"r","expires_in":5}',
            id="no-access-token",
        ),
        pytest.param(
            transport.Token(token="a<b", access_token="c"),
            b'{"token":"a\\u003cb","access_token":"c","refresh_token":"","expires_in":0}',
            id="go-escaping",
        ),
    ],
)
def test_token_json_matches_crane(token, expected):
    assert token.to_json() == expected


def test_token_repr_hides_values():
    assert "secret" not in repr(transport.Token(token="secret", refresh_token="secret"))
