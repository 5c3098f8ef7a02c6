"""The docker-credential-* protocol against a fake helper on PATH."""

from __future__ import annotations

import pytest

from containerregistry import authn


def test_store_get_erase_round_trip(helper):
    h = authn.CredentialHelper("test")
    h.store("reg.example", authn.AuthConfig(username="alice", password="pw"))
    assert h.get("reg.example") == authn.AuthConfig(username="alice", password="pw")
    h.erase("reg.example")
    assert h.get("reg.example").is_empty()
    log = (helper.parent / (helper.name + ".log")).read_text().splitlines()
    assert log == ["store reg.example", "get reg.example", "erase reg.example", "get reg.example"]


def test_identity_tokens_travel_as_token_user(helper):
    h = authn.CredentialHelper("test")
    h.store("reg.example", authn.AuthConfig(identity_token="idtok"))
    assert h.get("reg.example") == authn.AuthConfig(username="<token>", identity_token="idtok")


def test_erasing_nothing_is_fine(helper):
    authn.CredentialHelper("test").erase("nothing.example")


def test_helper_failures_are_errors(helper):
    with pytest.raises(authn.CredentialHelperError, match="exited with 2: helper exploded"):
        authn.CredentialHelper("test").get("broken.example")


def test_missing_helper_says_what_to_do(helper):
    with pytest.raises(authn.CredentialHelperError, match="not on PATH"):
        authn.CredentialHelper("absent").get("reg.example")
