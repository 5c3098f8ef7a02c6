"""AuthConfig: the auth field, JSON in and out."""

from __future__ import annotations

import pytest

from containerregistry import authn


@pytest.mark.parametrize(
    ("auth", "expected"),
    [
        pytest.param("YWxpY2U6cHc=", ("alice", "pw"), id="padded"),
        pytest.param("YWxpY2U6cHc", ("alice", "pw"), id="unpadded"),
        pytest.param("YTpiOmM=", ("a", "b:c"), id="colon-in-password"),
    ],
)
def test_decode_auth(auth, expected):
    assert authn.decode_auth(auth) == expected


@pytest.mark.parametrize("bad", ["!!!", "bm9jb2xvbg=="])
def test_bad_auth_fields_say_what_to_do(bad):
    with pytest.raises(authn.AuthConfigError, match="log in again") as info:
        authn.decode_auth(bad)
    assert bad not in str(info.value)


def test_from_json_decodes_auth_and_reads_tokens():
    config = authn.AuthConfig.from_json(
        {"auth": "YWxpY2U6cHc=", "identitytoken": "i", "registrytoken": "r", "email": "x"}
    )
    assert (config.username, config.password) == ("alice", "pw")
    assert (config.identity_token, config.registry_token) == ("i", "r")


def test_to_json_reencodes_auth():
    config = authn.AuthConfig(username="alice", password="pw", identity_token="i")
    assert config.to_json() == {"auth": "YWxpY2U6cHc=", "identitytoken": "i"}


def test_repr_hides_secrets():
    config = authn.AuthConfig(username="alice", password="pw-secret", identity_token="id-secret")
    assert "secret" not in repr(config)
    assert "alice" in repr(config)
