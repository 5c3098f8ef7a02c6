"""Anonymous, Basic, Bearer and from_config."""

from __future__ import annotations

from containerregistry import authn


def test_authenticators_produce_their_configs():
    assert authn.ANONYMOUS.authorization().is_empty()
    assert authn.Basic("a", "b").authorization() == authn.AuthConfig(username="a", password="b")
    assert authn.Bearer("t").authorization() == authn.AuthConfig(registry_token="t")


def test_from_config():
    assert authn.from_config(authn.AuthConfig()) is authn.ANONYMOUS
    auth = authn.from_config(authn.AuthConfig(auth="YTpi"))
    assert auth.authorization().username == "a"
    assert isinstance(auth, authn.Authenticator)


def test_reprs_hide_secrets():
    for auth in (authn.Basic("alice", "pw-secret"), authn.Bearer("tok-secret")):
        assert "secret" not in repr(auth)
