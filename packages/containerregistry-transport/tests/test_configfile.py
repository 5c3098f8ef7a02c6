"""Where the default keychain looks, in ggcr's order."""

from __future__ import annotations

import json

import pytest

from containerregistry import authn

FILES = {
    "home": "home/.docker/config.json",
    "docker_config": "dc/config.json",
    "registry_auth_file": "raf/auth.json",
    "xdg_runtime": "run/containers/auth.json",
    "xdg_config": "cfg/containers/auth.json",
    "home_config": "home/.config/containers/auth.json",
}


@pytest.mark.parametrize(
    ("present", "env", "expected"),
    [
        pytest.param(
            ["home", "docker_config"],
            ["DOCKER_CONFIG"],
            "docker_config",
            id="home-exists-docker-config-wins",
        ),
        pytest.param(["home"], [], "home", id="home-only"),
        pytest.param(
            ["home"], ["DOCKER_CONFIG"], "docker_config", id="home-exists-empty-docker-config-dir"
        ),
        pytest.param(
            ["docker_config", "registry_auth_file"],
            ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE"],
            "docker_config",
            id="docker-config-without-home",
        ),
        pytest.param(
            ["registry_auth_file", "xdg_runtime"],
            ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"],
            "registry_auth_file",
            id="registry-auth-file",
        ),
        pytest.param(
            ["xdg_runtime", "xdg_config"],
            ["XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"],
            "xdg_runtime",
            id="podman-runtime",
        ),
        pytest.param(
            ["xdg_config"], ["XDG_RUNTIME_DIR", "XDG_CONFIG_HOME"], "xdg_config", id="podman-config"
        ),
        pytest.param(["home_config"], [], "home_config", id="podman-default-config-home"),
        pytest.param(
            [], ["DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR"], None, id="nothing"
        ),
    ],
)
def test_lookup_order(tmp_path, present, env, expected):
    for key in present:
        path = tmp_path / FILES[key]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    values = {
        "DOCKER_CONFIG": str(tmp_path / "dc"),
        "REGISTRY_AUTH_FILE": str(tmp_path / FILES["registry_auth_file"]),
        "XDG_RUNTIME_DIR": str(tmp_path / "run"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
    }
    environ = {"HOME": str(tmp_path / "home"), **{k: values[k] for k in env}}
    found = authn.find_config(environ)
    assert found == (None if expected is None else tmp_path / FILES[expected])


def test_hostname_matching_and_helpers(tmp_path, helper):
    path = tmp_path / "config.json"
    path.write_text(
        json.dumps(
            {
                "auths": {"https://reg.example/v1/": {"auth": "YTpi"}, "helped.example": {}},
                "credHelpers": {"helped.example": "test"},
            }
        )
    )
    config = authn.ConfigFile.load(path)
    assert config.get("reg.example") == authn.AuthConfig(username="a", password="b", auth="YTpi")
    assert config.get("other.example").is_empty()
    authn.CredentialHelper("test").store(
        "helped.example", authn.AuthConfig(username="h", password="p")
    )
    assert config.get("helped.example") == authn.AuthConfig(username="h", password="p")


def test_malformed_config_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{not json")
    with pytest.raises(authn.AuthConfigError, match=str(path)):
        authn.ConfigFile.load(path)
