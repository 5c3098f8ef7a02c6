"""Basic auth and the bearer-token flow."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote

import pytest

from containerregistry.registry import (
    AuthConfigError,
    BasicAuth,
    Registry,
    TokenAuth,
    load_users,
    parse_user,
)

USERS = {"alice": "s3cret"}


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="anonymous"),
        pytest.param(_basic("alice", "wrong"), 401, id="wrong-password"),
        pytest.param(_basic("bob", "s3cret"), 401, id="unknown-user"),
        pytest.param({"Authorization": "Basic !!!"}, 401, id="garbage"),
        pytest.param(_basic("alice", "s3cret"), 200, id="right"),
    ],
)
def test_basic(client: Any, headers: dict[str, str], status: int) -> None:
    client.app = Registry(auth=BasicAuth(USERS))
    result = client.call("GET", "/v2/", headers=headers)
    assert result.status == status
    if status == 401:
        assert result.codes == ["UNAUTHORIZED"]
        assert result.headers["WWW-Authenticate"] == 'Basic realm="containerregistry"'
        assert b"s3cret" not in result.body


def _token(client: Any, scope: str, headers: dict[str, str]) -> str:
    result = client.call("GET", f"/token?service=containerregistry&scope={scope}", headers=headers)
    assert result.status == 200, result.body
    document = result.json()
    assert document["token"] == document["access_token"]
    return str(document["token"])


def test_token_flow_push_and_pull(client: Any) -> None:
    client.app = Registry(auth=TokenAuth(USERS))
    challenge = client.call("GET", "/v2/foo/tags/list")
    assert challenge.status == 401
    assert challenge.headers["WWW-Authenticate"] == (
        'Bearer realm="http://registry.test/token",service="containerregistry",'
        'scope="repository:foo:pull"'
    )
    upload = client.call("POST", "/v2/foo/blobs/uploads/")
    assert 'scope="repository:foo:pull,push"' in upload.headers["WWW-Authenticate"]

    token = _token(client, "repository:foo:pull,push", _basic("alice", "s3cret"))
    assert (
        client.call("GET", "/token", headers=_basic("alice", "s3cret")).json()["expires_in"] == 300
    )
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.call("GET", "/v2/", headers=bearer).status == 200
    assert client.call("POST", "/v2/foo/blobs/uploads/", headers=bearer).status == 202
    assert client.call("GET", "/v2/foo/tags/list", headers=bearer).status == 404  # no tags yet
    # The token is for foo only.
    other = client.call("GET", "/v2/bar/tags/list", headers=bearer)
    assert other.status == 401
    assert 'error="insufficient_scope"' in other.headers["WWW-Authenticate"]
    # Deleting needs the delete action.
    deleting = client.call("DELETE", "/v2/foo/manifests/latest", headers=bearer)
    assert 'scope="repository:foo:delete"' in deleting.headers["WWW-Authenticate"]


def test_a_mount_challenge_names_the_source_repository(client: Any) -> None:
    """A client that takes its scope from the challenge (the OCI conformance
    suite's does) gets a token that lets the mount happen, as with distribution."""
    client.app = Registry(auth=TokenAuth(USERS))
    layer = b"a layer pushed to bar"
    digest = client.digest_of(layer)
    pusher = _token(client, "repository:bar:push", _basic("alice", "s3cret"))
    bar = {"Authorization": f"Bearer {pusher}"}
    assert client.call("POST", f"/v2/bar/blobs/uploads/?digest={digest}", layer, bar).status == 201

    path = f"/v2/foo/blobs/uploads/?mount={digest}&from=bar"
    challenge = client.call("POST", path)
    assert challenge.status == 401
    header = challenge.headers["WWW-Authenticate"]
    assert 'scope="repository:foo:pull,push repository:bar:pull"' in header
    scope = re.search(r'scope="([^"]+)"', header)
    assert scope is not None
    token = _token(client, quote(scope.group(1)), _basic("alice", "s3cret"))
    mounted = client.call("POST", path, headers={"Authorization": f"Bearer {token}"})
    assert mounted.status == 201
    assert mounted.headers["Location"] == f"/v2/foo/blobs/{digest}"
    # A POST without ``from`` (or with an invalid one) names only its own repository.
    plain = client.call("POST", f"/v2/foo/blobs/uploads/?mount={digest}&from=..%2Fbar")
    assert plain.headers["WWW-Authenticate"].endswith('scope="repository:foo:pull,push"')


def test_token_endpoint_refuses_wrong_password(client: Any) -> None:
    client.app = Registry(auth=TokenAuth(USERS))
    result = client.call("GET", "/token?scope=repository:foo:pull", headers=_basic("alice", "x"))
    assert (result.status, result.codes) == (401, ["UNAUTHORIZED"])


@pytest.mark.parametrize(
    ("anonymous_pull", "status"),
    [pytest.param(False, 401, id="private"), pytest.param(True, 404, id="anonymous-pull")],
)
def test_anonymous_token(client: Any, anonymous_pull: bool, status: int) -> None:
    client.app = Registry(auth=TokenAuth(USERS, anonymous_pull=anonymous_pull))
    token = _token(client, "repository:foo:pull,push", {})
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.call("GET", "/v2/foo/manifests/latest", headers=bearer).status == status
    assert client.call("POST", "/v2/foo/blobs/uploads/", headers=bearer).status == 401


def test_forged_and_expired_tokens_are_refused(client: Any) -> None:
    auth = TokenAuth(USERS, expires_in=-1)
    client.app = Registry(auth=auth)
    expired = _token(client, "repository:foo:pull", _basic("alice", "s3cret"))
    assert client.call("GET", "/v2/", headers={"Authorization": f"Bearer {expired}"}).status == 401
    other = TokenAuth(USERS)  # a different signing key
    client.app = Registry(auth=other)
    fresh = _token(client, "repository:foo:pull", _basic("alice", "s3cret"))
    client.app = Registry(auth=TokenAuth(USERS))
    assert client.call("GET", "/v2/", headers={"Authorization": f"Bearer {fresh}"}).status == 401


def test_oauth2_password_and_refresh_grants(client: Any) -> None:
    client.app = Registry(auth=TokenAuth(USERS))
    form = b"grant_type=password&username=alice&password=s3cret&scope=repository:foo:pull"
    first = client.call("POST", "/token", form)
    assert first.status == 200
    refresh = first.json()["refresh_token"]
    again = client.call(
        "POST",
        "/token",
        f"grant_type=refresh_token&refresh_token={refresh}&scope=repository:foo:pull".encode(),
    )
    token = again.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.call("GET", "/v2/foo/tags/list", headers=bearer).status == 404
    wrong = client.call("POST", "/token", b"grant_type=password&username=alice&password=no")
    assert wrong.status == 401


def test_catalog_scope(client: Any) -> None:
    client.app = Registry(auth=TokenAuth(USERS))
    refused = client.call("GET", "/v2/_catalog")
    assert 'scope="registry:catalog:*"' in refused.headers["WWW-Authenticate"]
    token = _token(client, "registry:catalog:*", _basic("alice", "s3cret"))
    ok = client.call("GET", "/v2/_catalog", headers={"Authorization": f"Bearer {token}"})
    assert ok.status == 200


def test_users_file(tmp_path: Any) -> None:
    path = tmp_path / "users"
    path.write_text("# comment\n\nalice:s3cret\nbob:pa:ss\n")
    assert load_users(path) == {"alice": "s3cret", "bob": "pa:ss"}
    with pytest.raises(AuthConfigError, match="cannot read users file"):
        load_users(tmp_path / "missing")


def test_parse_user_does_not_echo_the_password() -> None:
    assert parse_user("a:b") == ("a", "b")
    with pytest.raises(AuthConfigError) as caught:
        parse_user(":hunter2")
    assert "hunter2" not in str(caught.value)
