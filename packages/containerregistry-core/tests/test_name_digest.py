"""Digest parsing: sha256 only, tag before '@' dropped, strict mode."""

from __future__ import annotations

import pytest

from containerregistry.name import BadNameError, Digest, new_digest, new_repository

DIGEST = "sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f"

STRICT_GOOD = [
    "gcr.io/g-convoy/hello-world@" + DIGEST,
    "gcr.io/google.com/project-id/hello-world@" + DIGEST,
    "us.gcr.io/project-id/sub-repo@" + DIGEST,
    "example.text/foo/bar@" + DIGEST,
    "localhost/foo@" + DIGEST,
    "localhost:5000/img@" + DIGEST,
]
STRICT_GOOD_WITH_TAG = [
    ("example.text/foo/bar:latest@" + DIGEST, "example.text/foo/bar@" + DIGEST),
    ("example.text:8443/foo/bar:latest@" + DIGEST, "example.text:8443/foo/bar@" + DIGEST),
    ("example.text/foo/bar:v1.0.0-alpine@" + DIGEST, "example.text/foo/bar@" + DIGEST),
]
WEAK_GOOD = [
    ("namespace/pathcomponent/image@" + DIGEST, "index.docker.io/namespace/pathcomponent/image"),
    ("library/ubuntu@" + DIGEST, "index.docker.io/library/ubuntu"),
    ("nginx:latest@" + DIGEST, "index.docker.io/library/nginx"),
    ("library/nginx:latest@" + DIGEST, "index.docker.io/library/nginx"),
]


@pytest.mark.parametrize("name", STRICT_GOOD)
def test_strict_names_round_trip(name: str) -> None:
    digest = new_digest(name, strict=True)
    assert digest.name == name
    assert str(digest) == name


@pytest.mark.parametrize(("name", "full"), STRICT_GOOD_WITH_TAG)
def test_tag_before_digest_is_dropped(name: str, full: str) -> None:
    digest = new_digest(name, strict=True)
    assert digest.name == full
    assert str(digest) == name
    assert digest.identifier == DIGEST


@pytest.mark.parametrize(("name", "repository"), WEAK_GOOD)
def test_weak_names(name: str, repository: str) -> None:
    digest = new_digest(name)
    assert digest.context.name == repository
    assert digest.name == f"{repository}@{DIGEST}"
    with pytest.raises(BadNameError):
        new_digest(name, strict=True)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        pytest.param(
            "gcr.io/p/unknown-alg@unknown:abc123",
            "unsupported digest algorithm 'unknown': want sha256:<64 lowercase hexadecimal "
            "characters>",
            id="algorithm",
        ),
        pytest.param(
            "gcr.io/p/sha512@sha512:" + "a" * 128,
            "unsupported digest algorithm 'sha512': want sha256:<64 lowercase hexadecimal "
            "characters>",
            id="sha512",
        ),
        pytest.param(
            "gcr.io/p/wrong-length@sha256:d34db33fd34db33f",
            "a sha256 digest must have exactly 64 lowercase hexadecimal characters",
            id="short",
        ),
        pytest.param(
            "gcr.io/p/upper@sha256:" + "A" * 64,
            "a sha256 digest must have exactly 64 lowercase hexadecimal characters",
            id="uppercase-hex",
        ),
        pytest.param(
            "gcr.io/p/not-hex@sha256:" + "g" * 64,
            "a sha256 digest must have exactly 64 lowercase hexadecimal characters",
            id="not-hex",
        ),
        pytest.param(
            "gcr.io/p/missing-digest@",
            "the digest after '@' is empty: want sha256:<64 lowercase hexadecimal characters>",
            id="empty",
        ),
        pytest.param(
            "gcr.io/p/no-at",
            "a digest reference must contain exactly one '@' "
            "(e.g. registry/repository@sha256:<64 hex characters>)",
            id="no-at",
        ),
        pytest.param(
            "a@b@" + DIGEST,
            "a digest reference must contain exactly one '@' "
            "(e.g. registry/repository@sha256:<64 hex characters>)",
            id="two-ats",
        ),
        pytest.param(
            "Upper@" + DIGEST,
            "repository can only contain the characters abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="bad-repository",
        ),
        pytest.param("@" + DIGEST, "a repository name must be specified", id="missing-repository"),
    ],
)
def test_invalid(name: str, reason: str) -> None:
    with pytest.raises(BadNameError) as info:
        new_digest(name)
    assert info.value.reason == reason
    assert str(info.value).startswith("could not parse digest ")


def test_accessors() -> None:
    digest = new_digest("gcr.io/project-id/image@" + DIGEST, strict=True)
    assert digest.registry_str == "gcr.io"
    assert digest.registry.name == "gcr.io"
    assert digest.repository_str == "project-id/image"
    assert digest.digest_str == DIGEST
    assert digest.identifier == DIGEST
    assert digest.context == new_repository("gcr.io/project-id/image")
    assert digest.repository is digest.context
    assert digest.scope("pull") == "repository:project-id/image:pull"
    assert digest.scheme == "https"


def test_default_registry_and_insecure() -> None:
    digest = new_digest("img@" + DIGEST, default_registry="10.0.0.1:5000")
    assert digest.name == "10.0.0.1:5000/img@" + DIGEST
    assert digest.scheme == "http"
    assert new_digest("gcr.io/img@" + DIGEST, insecure=True).scheme == "http"


def test_equality_ignores_the_tag_in_the_text() -> None:
    with_tag = new_digest("nginx:1.25@" + DIGEST)
    without = new_digest("index.docker.io/library/nginx@" + DIGEST)
    assert with_tag == without
    assert hash(with_tag) == hash(without)
    assert with_tag != new_digest("nginx@" + DIGEST, insecure=True)


def test_direct_construction() -> None:
    digest = Digest(new_repository("gcr.io/p/i"), DIGEST)
    assert str(digest) == "gcr.io/p/i@" + DIGEST
    with pytest.raises(BadNameError):
        Digest(new_repository("gcr.io/p/i"), "sha256:abc")


def test_repr() -> None:
    assert repr(new_digest("gcr.io/p/i@" + DIGEST)) == f"Digest('gcr.io/p/i@{DIGEST}')"
