"""Repository parsing: registry detection, library/ defaulting, validation, scopes."""

from __future__ import annotations

import pytest

from containerregistry.name import BadNameError, Repository, new_registry, new_repository

STRICT_GOOD = [
    "gcr.io/g-convoy/hello-world",
    "gcr.io/google.com/project-id/hello-world",
    "us.gcr.io/project-id/sub-repo",
    "example.text/foo/bar",
    "mirror.gcr.io/ubuntu",
    "index.docker.io/library/ubuntu",
    "example.com/ab",
    "example.com/a/b",
    "localhost/testimage",
    "localhost:5000/ab",
    "[::1]:5000/foo/bar",
]
WEAK_GOOD = ["namespace/pathcomponent/image", "library/ubuntu", "ubuntu", "ab", "00"]


@pytest.mark.parametrize("name", STRICT_GOOD)
def test_strict_names_round_trip(name: str) -> None:
    repository = new_repository(name, strict=True)
    assert repository.name == name
    assert str(repository) == name


@pytest.mark.parametrize("name", WEAK_GOOD)
def test_weak_names_need_defaults(name: str) -> None:
    new_repository(name)
    with pytest.raises(BadNameError, match="strict validation requires"):
        new_repository(name, strict=True)


@pytest.mark.parametrize(
    ("name", "registry", "path"),
    [
        pytest.param("ubuntu", "index.docker.io", "library/ubuntu", id="library-added"),
        pytest.param("ab", "index.docker.io", "library/ab", id="two-characters"),
        pytest.param("docker.io/ubuntu", "index.docker.io", "library/ubuntu", id="docker-io"),
        pytest.param("index.docker.io/foo", "index.docker.io", "library/foo", id="explicit-hub"),
        pytest.param("user/app", "index.docker.io", "user/app", id="two-parts-kept"),
        pytest.param("gcr.io/ubuntu", "gcr.io", "ubuntu", id="no-library-elsewhere"),
        pytest.param("localhost/img", "localhost", "img", id="localhost-is-a-registry"),
        pytest.param("localhost:5000/img", "localhost:5000", "img", id="localhost-port"),
        pytest.param("host:5000/a/b", "host:5000", "a/b", id="colon-means-registry"),
        pytest.param("my.host/ab", "my.host", "ab", id="dot-means-registry"),
        pytest.param("myhost/a", "index.docker.io", "myhost/a", id="plain-first-part-is-path"),
        pytest.param("localhostx/a", "index.docker.io", "localhostx/a", id="not-localhost"),
        pytest.param("foo//bar", "index.docker.io", "foo//bar", id="empty-component-ggcr"),
    ],
)
def test_components(name: str, registry: str, path: str) -> None:
    repository = new_repository(name)
    assert repository.registry_str == registry
    assert repository.registry.registry_str == registry
    assert repository.repository_str == path
    assert repository.name == f"{registry}/{path}"


@pytest.mark.parametrize(
    ("default_registry", "expected"),
    [
        pytest.param("gcr.io", "gcr.io/ubuntu", id="custom-default-no-library"),
        pytest.param("docker.io", "index.docker.io/library/ubuntu", id="alias-default"),
        pytest.param("index.docker.io", "index.docker.io/library/ubuntu", id="hub-default"),
    ],
)
def test_default_registry(default_registry: str, expected: str) -> None:
    assert new_repository("ubuntu", default_registry=default_registry).name == expected


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param("", "a repository name must be specified", id="empty"),
        pytest.param(
            "white space",
            "repository can only contain the characters abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="space",
        ),
        pytest.param(
            "b@char/image",
            "repository can only contain the characters abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="at-sign",
        ),
        pytest.param(
            "Upper/case",
            "repository can only contain the characters abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="uppercase",
        ),
        pytest.param(
            "gcr.io/" + "a" * 256,
            "repository must be between 2 and 255 characters in length",
            id="too-long",
        ),
        pytest.param(
            "127.0.0.1:5000/x",
            "repository must be between 2 and 255 characters in length",
            id="one-character-ggcr-v0.21.9",
        ),
        pytest.param(
            "x", "repository must be between 2 and 255 characters in length", id="one-character-hub"
        ),
        pytest.param(
            "gcr.io/",
            "repository must be between 2 and 255 characters in length",
            id="registry-only",
        ),
        pytest.param(
            "bad host:5000/img",
            "registries must be valid RFC 3986 URI authorities (host[:port])",
            id="bad-registry",
        ),
        pytest.param(
            "index.docker.io/foo",
            "strict validation requires the full repository path (missing 'library/')",
            id="strict-missing-library",
        ),
        pytest.param(
            "foo/bar",
            "strict validation requires the registry to be explicitly defined",
            id="strict-missing-registry",
        ),
    ],
)
def test_invalid(name: str, reason: str) -> None:
    with pytest.raises(BadNameError) as info:
        new_repository(name, strict="strict" in reason)
    assert info.value.reason == reason
    assert str(info.value) == f'could not parse repository "{name}": {reason}'


def test_255_characters_is_the_limit() -> None:
    assert new_repository("gcr.io/" + "a" * 255).repository_str == "a" * 255
    # As in ggcr, the limit applies to the path as written: library/ comes on top.
    assert new_repository("a" * 255).repository_str == "library/" + "a" * 255
    assert new_repository("gcr.io/ab").repository_str == "ab"


def test_a_repository_built_from_a_registry_is_not_held_to_the_parser_minimum() -> None:
    # Registry.repo, like ggcr's Registry.Repo, names any non-empty path.
    assert new_registry("gcr.io").repo("x").name == "gcr.io/x"


def test_scope() -> None:
    assert new_repository("gcr.io/project-id/image").scope("pull") == (
        "repository:project-id/image:pull"
    )
    assert new_repository("ubuntu").scope("push,pull") == "repository:library/ubuntu:push,pull"


def test_insecure_flows_to_registry_and_children() -> None:
    repository = new_repository("example.com/repo", insecure=True)
    assert repository.insecure
    assert repository.scheme == "http"
    tag = repository.tag("foo")
    assert tag.scheme == "http"
    assert str(tag) == "example.com/repo:foo"
    digest = repository.digest("sha256:" + "0" * 64)
    assert digest.scheme == "http"
    assert str(digest) == "example.com/repo@sha256:" + "0" * 64


def test_children_are_validated() -> None:
    repository = new_repository("example.com/repo")
    with pytest.raises(BadNameError, match="tag can only contain"):
        repository.tag("no spaces")
    with pytest.raises(BadNameError, match="64 lowercase hexadecimal"):
        repository.digest("sha256:badf00d")


def test_equality_is_by_full_name_and_flags() -> None:
    assert new_repository("ubuntu") == new_repository("docker.io/library/ubuntu")
    assert new_repository("ubuntu") == Repository(new_registry("index.docker.io"), "library/ubuntu")
    assert new_repository("ubuntu") != new_repository("ubuntu", insecure=True)
    assert hash(new_repository("ubuntu")) == hash(new_repository("index.docker.io/library/ubuntu"))


def test_repr() -> None:
    assert repr(new_repository("ubuntu")) == "Repository('index.docker.io/library/ubuntu')"
