"""The default, helper, multi and refreshing keychains."""

from __future__ import annotations

import json

import pytest

from containerregistry import authn
from containerregistry.name import new_registry, parse_reference


@pytest.fixture
def docker_config(tmp_path):
    def write(data):
        path = tmp_path / "home" / ".docker" / "config.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
        return authn.DefaultKeychain(env={"HOME": str(tmp_path / "home")})

    return write


def test_docker_hub_uses_the_historical_key(docker_config):
    keychain = docker_config({"auths": {"https://index.docker.io/v1/": {"auth": "aHViOnB3"}}})
    auth = keychain.resolve(parse_reference("ubuntu"))
    assert auth.authorization().username == "hub"


def test_repository_key_wins_over_registry_key(docker_config):
    keychain = docker_config(
        {
            "auths": {
                "reg.example": {"auth": "cmVnOnB3"},
                "reg.example/team/app": {"auth": "dGVhbTpwdw=="},
            }
        }
    )
    assert (
        keychain.resolve(parse_reference("reg.example/team/app:1")).authorization().username
        == "team"
    )
    assert keychain.resolve(parse_reference("reg.example/other")).authorization().username == "reg"
    assert keychain.resolve(new_registry("reg.example")).authorization().username == "reg"
    assert keychain.resolve(new_registry("unknown.example")) is authn.ANONYMOUS


def test_creds_store_is_asked(docker_config, helper):
    authn.CredentialHelper("test").store("reg.example", authn.AuthConfig(identity_token="idt"))
    keychain = docker_config({"credsStore": "test"})
    config = keychain.resolve(new_registry("reg.example")).authorization()
    assert config.identity_token == "idt"


def test_no_config_is_anonymous(tmp_path):
    keychain = authn.DefaultKeychain(env={"HOME": str(tmp_path)})
    assert keychain.resolve("reg.example") is authn.ANONYMOUS


def test_keychain_from_helper_treats_failure_as_anonymous(helper):
    keychain = authn.keychain_from_helper(authn.CredentialHelper("test").get)
    assert keychain.resolve("broken.example") is authn.ANONYMOUS
    authn.CredentialHelper("test").store("ok.example", authn.AuthConfig(username="u", password="p"))
    assert keychain.resolve(new_registry("ok.example")).authorization().password == "p"


class _Fixed:
    def __init__(self, answer):
        self.answer = answer
        self.calls = 0

    def resolve(self, target):
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_multi_keychain_first_non_anonymous_wins():
    basic = authn.Basic("a", "b")
    first, second, third = _Fixed(authn.ANONYMOUS), _Fixed(basic), _Fixed(authn.Bearer("x"))
    assert authn.multi_keychain(first, second, third).resolve("r") is basic
    assert third.calls == 0
    assert authn.multi_keychain(first).resolve("r") is authn.ANONYMOUS


def test_multi_keychain_errors_abort():
    with pytest.raises(RuntimeError):
        authn.multi_keychain(_Fixed(RuntimeError("x")), _Fixed(authn.Basic("a", "b"))).resolve("r")


def test_refreshing_keychain_resolves_again_when_stale():
    now = [0.0]
    inner = _Fixed(authn.Basic("a", "1"))
    auth = authn.refreshing_keychain(inner, interval=10, clock=lambda: now[0]).resolve("r")
    assert auth.authorization().password == "1"
    inner.answer = authn.Basic("a", "2")
    now[0] = 5
    assert auth.authorization().password == "1"
    now[0] = 10
    assert auth.authorization().password == "2"
    assert inner.calls == 2
