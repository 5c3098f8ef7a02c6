"""Registry parsing, validation, schemes and scopes (ggcr pkg/name registry rules)."""

from __future__ import annotations

import pytest

from containerregistry.errors import ContainerRegistryError
from containerregistry.name import BadNameError, Registry, new_registry


@pytest.mark.parametrize(
    "name",
    [
        "gcr.io",
        "gcr.io:9001",
        "index.docker.io",
        "us.gcr.io",
        "example.text",
        "localhost",
        "localhost:9090",
        "10.2.3.4:5000",
        "::1",
        "[::1]:5000",
        "[2001:db8::1]:5000",
        "[::ffff:10.0.0.1]",
        "gcr.io:",  # Go's url.Parse accepts an empty port
        "registry.example.com:443",
    ],
)
def test_valid_names_round_trip(name: str) -> None:
    registry = new_registry(name, strict=True)
    assert registry.registry_str == name
    assert registry.name == name
    assert str(registry) == name


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("white space", id="space"),
        pytest.param("gcr?com", id="query"),
        pytest.param("gcr#com", id="fragment"),
        pytest.param("user@gcr.io", id="userinfo"),
        pytest.param("gcr.io:80a", id="port-not-numeric"),
        pytest.param("gcr.io:-1", id="port-negative"),
        pytest.param("ex%41mple.com", id="percent-escape"),
        pytest.param("[::1", id="unclosed-bracket"),
        pytest.param("[::1]x", id="junk-after-bracket"),
        pytest.param("[not-an-ip]:5000", id="bracket-not-ipv6"),
        pytest.param("gcr.io\n", id="control-char"),
        pytest.param("a\\b", id="backslash"),
        pytest.param("a/b", id="slash"),
    ],
)
def test_invalid_names_are_rejected(name: str) -> None:
    with pytest.raises(BadNameError, match="RFC 3986") as info:
        new_registry(name)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("could not parse registry ")
    assert info.value.text == name


def test_error_types() -> None:
    with pytest.raises(BadNameError) as info:
        new_registry("white space")
    assert isinstance(info.value, ContainerRegistryError)
    assert isinstance(info.value, ValueError)
    assert str(info.value) == (
        'could not parse registry "white space": '
        "registries must be valid RFC 3986 URI authorities (host[:port])"
    )


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        pytest.param("", {}, "index.docker.io", id="empty-is-docker-hub"),
        pytest.param("docker.io", {}, "index.docker.io", id="docker-io-rewritten"),
        pytest.param("", {"default_registry": "gcr.io"}, "gcr.io", id="custom-default"),
        pytest.param(
            "docker.io", {"default_registry": "gcr.io"}, "index.docker.io", id="alias-not-default"
        ),
        pytest.param("", {"default_registry": "docker.io"}, "index.docker.io", id="alias-default"),
    ],
)
def test_defaults(name: str, options: dict[str, str], expected: str) -> None:
    assert new_registry(name, **options).registry_str == expected  # type: ignore[arg-type]


def test_strict_requires_a_name() -> None:
    with pytest.raises(BadNameError, match="strict validation requires the registry"):
        new_registry("", strict=True)


def test_invalid_default_registry_is_rejected() -> None:
    with pytest.raises(BadNameError, match='the default registry "not a host" is not a valid'):
        new_registry("", default_registry="not a host")
    with pytest.raises(BadNameError, match='the default registry "" is not a valid'):
        new_registry("", default_registry="")


@pytest.mark.parametrize(
    ("name", "scheme"),
    [
        ("foo.svc.localhost:1234", "http"),
        ("foo.localhost", "http"),
        ("foo.svc.local:1234", "https"),
        ("registry.local", "https"),
        ("127.0.0.1:1234", "http"),
        ("127.0.0.1", "http"),
        ("127.0.0.1.evil.com", "https"),
        ("my127.0.0.1registry.io", "https"),
        ("127.0.0.2", "https"),
        ("localhost", "http"),
        ("localhost:8080", "http"),
        ("localhostfoo.io", "https"),
        ("gcr.io", "https"),
        ("index.docker.io", "https"),
        ("::1", "http"),
        ("[::1]:5000", "http"),
        ("[::1]:", "https"),
        ("[2001:db8::1]:5000", "https"),
        ("10.2.3.4:5000", "http"),
        ("10.256.0.0:5000", "https"),
        ("172.16.3.4:3000", "http"),
        ("172.32.0.1", "https"),
        ("192.168.3.4", "http"),
        ("8.8.8.8", "https"),
    ],
)
def test_scheme(name: str, scheme: str) -> None:
    assert new_registry(name).scheme == scheme


@pytest.mark.parametrize("name", ["gcr.io", "localhost:5000", "8.8.8.8"])
def test_insecure_scheme_is_http(name: str) -> None:
    registry = new_registry(name, insecure=True)
    assert registry.insecure
    assert registry.scheme == "http"


def test_scope_is_catalog_whatever_the_action() -> None:
    registry = new_registry("gcr.io")
    assert registry.scope("whatever") == "registry:catalog:*"
    assert registry.scope() == "registry:catalog:*"


def test_equality_and_hash() -> None:
    assert new_registry("gcr.io") == Registry("gcr.io")
    assert new_registry("docker.io") == new_registry("")
    assert new_registry("gcr.io") != new_registry("gcr.io", insecure=True)
    assert len({new_registry("gcr.io"), Registry("gcr.io"), new_registry("us.gcr.io")}) == 2


def test_immutable() -> None:
    registry = new_registry("gcr.io")
    with pytest.raises(AttributeError):
        registry.registry_str = "other.io"  # type: ignore[misc]


def test_direct_construction_is_validated() -> None:
    with pytest.raises(BadNameError):
        Registry("")
    with pytest.raises(BadNameError):
        Registry("bad host")


def test_repo_builds_a_repository_in_the_registry() -> None:
    repository = new_registry("gcr.io", insecure=True).repo("project", "image")
    assert repository.name == "gcr.io/project/image"
    assert repository.insecure
    with pytest.raises(BadNameError):
        new_registry("gcr.io").repo("Upper")


def test_repr() -> None:
    assert repr(new_registry("gcr.io")) == "Registry('gcr.io')"
    assert repr(new_registry("gcr.io", insecure=True)) == "Registry('gcr.io', insecure=True)"
