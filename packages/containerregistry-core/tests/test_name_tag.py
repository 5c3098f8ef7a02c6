"""Tag parsing: tag/port disambiguation, default tag, strict mode, validation."""

from __future__ import annotations

import pytest

from containerregistry.name import BadNameError, Tag, new_repository, new_tag

DIGEST = "sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f"

STRICT_GOOD = [
    "gcr.io/g-convoy/hello-world:latest",
    "gcr.io/google.com/g-convoy/hello-world:latest",
    "gcr.io/project-id/with-nums:v2",
    "us.gcr.io/project-id/image:with.period.in.tag",
    "gcr.io/project-id/image:w1th-alpha_num3ric.PLUScaps",
    "domain.with.port:9001/image:latest",
    "localhost/testimage:mytag",
    "index.docker.io/library/ubuntu:22.04",
]
WEAK_GOOD = [
    "namespace/pathcomponent/image",
    "library/ubuntu",
    "gcr.io/project-id/implicit-latest",
    "www.example.test:12345/repo/path",
    "ubuntu:22.04",
]
BAD = [
    pytest.param("gcr.io/project-id/bad_chars:c@n'tuse", "tag can only contain", id="bad-chars"),
    pytest.param("gcr.io/project-id/wrong-length:white space", "tag can only", id="space"),
    pytest.param("gcr.io/p/too-many-chars:" + "t" * 129, "between 1 and 128", id="too-long"),
    pytest.param("Ubuntu:latest", "repository can only contain", id="bad-repository"),
    pytest.param("ubuntu:", "a tag name must follow the colon", id="empty-tag-ggcr"),
    pytest.param("gcr.io/x:v1", "between 2 and 255", id="one-character-repository"),
    pytest.param("ubuntu@" + DIGEST, "repository can only contain", id="digest-is-not-a-tag"),
]


@pytest.mark.parametrize("name", STRICT_GOOD)
def test_strict_names_round_trip(name: str) -> None:
    tag = new_tag(name, strict=True)
    assert tag.name == name
    assert str(tag) == name


@pytest.mark.parametrize("name", WEAK_GOOD)
def test_weak_names_are_rejected_when_strict(name: str) -> None:
    assert str(new_tag(name)) == name
    with pytest.raises(BadNameError, match="strict validation requires"):
        new_tag(name, strict=True)


@pytest.mark.parametrize(("name", "message"), BAD)
def test_invalid(name: str, message: str) -> None:
    with pytest.raises(BadNameError, match=message) as info:
        new_tag(name)
    assert str(info.value).startswith("could not parse tag ")


def test_128_characters_is_the_limit() -> None:
    assert new_tag("gcr.io/p/i:" + "t" * 128).tag_str == "t" * 128


@pytest.mark.parametrize(
    ("name", "full", "tag"),
    [
        pytest.param(
            "ubuntu", "index.docker.io/library/ubuntu:latest", "latest", id="all-defaults"
        ),
        pytest.param(
            "localhost:5000/img", "localhost:5000/img:latest", "latest", id="port-not-tag"
        ),
        pytest.param("localhost:5000/img:v1", "localhost:5000/img:v1", "v1", id="port-and-tag"),
        pytest.param("[::1]:5000/img:v1", "[::1]:5000/img:v1", "v1", id="ipv6-port-and-tag"),
        pytest.param("gcr.io/p/i:V1.0_rc-1", "gcr.io/p/i:V1.0_rc-1", "V1.0_rc-1", id="mixed-case"),
    ],
)
def test_components(name: str, full: str, tag: str) -> None:
    parsed = new_tag(name)
    assert parsed.name == full
    assert parsed.tag_str == tag
    assert parsed.identifier == tag
    assert str(parsed) == name


def test_accessors() -> None:
    tag = new_tag("gcr.io/project-id/image:latest", strict=True)
    assert tag.registry_str == "gcr.io"
    assert tag.registry.registry_str == "gcr.io"
    assert tag.repository_str == "project-id/image"
    assert tag.context == new_repository("gcr.io/project-id/image")
    assert tag.repository is tag.context
    assert str(tag.context) == "gcr.io/project-id/image"
    assert tag.scheme == "https"
    assert not tag.insecure
    assert tag.scope("pull") == "repository:project-id/image:pull"


@pytest.mark.parametrize(
    ("options", "full"),
    [
        pytest.param({"default_tag": "stable"}, "index.docker.io/library/ubuntu:stable", id="tag"),
        pytest.param({"default_registry": "gcr.io"}, "gcr.io/ubuntu:latest", id="registry"),
        pytest.param(
            {"default_registry": "docker.io"},
            "index.docker.io/library/ubuntu:latest",
            id="registry-alias",
        ),
    ],
)
def test_options(options: dict[str, str], full: str) -> None:
    assert new_tag("ubuntu", **options).name == full  # type: ignore[arg-type]


def test_explicit_tag_wins_over_default() -> None:
    assert new_tag("ubuntu:22.04", default_tag="stable").tag_str == "22.04"


def test_invalid_default_tag_is_rejected() -> None:
    with pytest.raises(BadNameError, match="tag can only contain"):
        new_tag("ubuntu", default_tag="not valid")


def test_strict_requires_a_tag() -> None:
    with pytest.raises(BadNameError) as info:
        new_tag("gcr.io/project/image", strict=True)
    assert str(info.value) == (
        'could not parse tag "gcr.io/project/image": '
        "strict validation requires the tag to be explicitly defined"
    )


def test_insecure() -> None:
    tag = new_tag("gcr.io/p/i:v1", insecure=True)
    assert tag.insecure
    assert tag.scheme == "http"
    assert tag != new_tag("gcr.io/p/i:v1")


def test_equality_ignores_the_original_text() -> None:
    short = new_tag("ubuntu")
    full = new_tag("index.docker.io/library/ubuntu:latest")
    assert short == full
    assert hash(short) == hash(full)
    assert str(short) != str(full)
    assert short != new_tag("ubuntu:22.04")


def test_direct_construction() -> None:
    repository = new_repository("gcr.io/p/i")
    tag = Tag(repository, "v1")
    assert str(tag) == "gcr.io/p/i:v1"
    assert tag == new_tag("gcr.io/p/i:v1")
    with pytest.raises(BadNameError):
        Tag(repository, "")


def test_immutable() -> None:
    tag = new_tag("ubuntu")
    with pytest.raises(AttributeError):
        tag.tag_str = "other"  # type: ignore[misc]


def test_repr() -> None:
    assert repr(new_tag("ubuntu")) == "Tag('index.docker.io/library/ubuntu:latest')"
