"""Matchers select descriptors by name, annotation, platform, media type, digest."""

from __future__ import annotations

import pytest

from containerregistry import match, types
from containerregistry.v1 import Descriptor, Hash, Platform

DIGEST_A = Hash.of(b"a")
DIGEST_B = Hash.of(b"b")

AMD64 = Descriptor(
    media_type=types.OCI_MANIFEST_SCHEMA1,
    size=1,
    digest=DIGEST_A,
    annotations={"org.opencontainers.image.ref.name": "v1", "team": "x"},
    platform=Platform(os="linux", architecture="amd64", features=("b", "a")),
)
ARM64 = Descriptor(
    media_type=types.DOCKER_MANIFEST_SCHEMA2,
    size=2,
    digest=DIGEST_B,
    platform=Platform(os="linux", architecture="arm64", variant="v8"),
)
BARE = Descriptor(media_type=types.OCI_IMAGE_INDEX, size=3, digest=DIGEST_B)


@pytest.mark.parametrize(
    ("matcher", "expected"),
    [
        pytest.param(match.name("v1"), [AMD64], id="name"),
        pytest.param(match.name("v2"), [], id="name-missing"),
        pytest.param(match.annotation("team", "x"), [AMD64], id="annotation"),
        pytest.param(match.annotation("team", "y"), [], id="annotation-value"),
        pytest.param(
            match.platforms(Platform(os="linux", architecture="amd64", features=("a", "b"))),
            [AMD64],
            id="platform-equals-ignores-feature-order",
        ),
        pytest.param(
            match.platforms(Platform(os="linux", architecture="arm64")),
            [],
            id="platform-is-equals-not-satisfies",
        ),
        pytest.param(
            match.platforms(
                Platform(os="linux", architecture="arm64", variant="v8"), Platform(os="x")
            ),
            [ARM64],
            id="platform-any-of",
        ),
        pytest.param(match.platforms(), [], id="no-platforms"),
        pytest.param(
            match.media_types(types.OCI_MANIFEST_SCHEMA1, types.OCI_IMAGE_INDEX),
            [AMD64, BARE],
            id="media-types",
        ),
        pytest.param(match.digests(DIGEST_B), [ARM64, BARE], id="digests"),
    ],
)
def test_matchers(matcher: match.Matcher, expected: list[Descriptor]) -> None:
    assert [d for d in (AMD64, ARM64, BARE) if matcher(d)] == expected


def test_all_is_sorted() -> None:
    # isort style, as ruff's RUF022 enforces: CONSTANTS, then Classes, then functions.
    def kind(name: str) -> tuple[bool, bool, str]:
        return (not name.isupper(), not name[0].isupper(), name)

    assert match.__all__ == sorted(match.__all__, key=kind)
