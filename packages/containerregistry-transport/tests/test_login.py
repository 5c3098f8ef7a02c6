"""login and logout: atomic writes, mode 0600, unknown fields kept, helpers used."""

from __future__ import annotations

import json
import stat

import pytest

from containerregistry import authn


def test_login_writes_0600_and_keeps_unknown_fields(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps({"HttpHeaders": {"X": "1"}, "auths": {"old.example": {"auth": "YTpi"}}})
    )
    env = {"DOCKER_CONFIG": str(tmp_path)}
    assert authn.login("docker.io", "alice", "pw", env=env) == path
    data = json.loads(path.read_text())
    assert data["HttpHeaders"] == {"X": "1"}
    assert data["auths"] == {
        "old.example": {"auth": "YTpi"},
        "https://index.docker.io/v1/": {"auth": "YWxpY2U6cHc="},
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]  # no temporary left


def test_login_creates_the_directory(tmp_path):
    env = {"DOCKER_CONFIG": str(tmp_path / "new")}
    path = authn.login("https://reg.example/v2/", "u", "p", env=env)
    assert json.loads(path.read_text()) == {"auths": {"reg.example": {"auth": "dTpw"}}}


def test_login_and_logout_through_creds_store(tmp_path, helper):
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "test"}))
    env = {"DOCKER_CONFIG": str(tmp_path)}
    authn.login("reg.example", "alice", "pw", env=env)
    assert json.loads((tmp_path / "config.json").read_text())["auths"] == {"reg.example": {}}
    assert json.loads(helper.read_text()) == {"reg.example": ["alice", "pw"]}
    authn.logout("reg.example", env=env)
    assert json.loads(helper.read_text()) == {}
    assert json.loads((tmp_path / "config.json").read_text())["auths"] == {}


def test_logout_of_unknown_server_is_an_error(tmp_path):
    with pytest.raises(authn.LoginError, match="not logged in"):
        authn.logout("reg.example", env={"DOCKER_CONFIG": str(tmp_path)})


def test_login_needs_something(tmp_path):
    with pytest.raises(authn.LoginError):
        authn.login("reg.example", "", "", env={"DOCKER_CONFIG": str(tmp_path)})


def test_symlinked_config_is_replaced_at_its_target(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("{}")
    (tmp_path / "dc").mkdir()
    (tmp_path / "dc" / "config.json").symlink_to(real)
    authn.login("reg.example", "u", "p", env={"DOCKER_CONFIG": str(tmp_path / "dc")})
    assert (tmp_path / "dc" / "config.json").is_symlink()
    assert "reg.example" in json.loads(real.read_text())["auths"]
