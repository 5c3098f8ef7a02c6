"""Platform: parsing crane's --platform strings, equality, matching, JSON."""

from __future__ import annotations

import pytest

from containerregistry.v1 import Platform, PlatformParseError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("linux/amd64", Platform(os="linux", architecture="amd64"), id="os-arch"),
        pytest.param(
            "linux/arm64/v8",
            Platform(os="linux", architecture="arm64", variant="v8"),
            id="variant",
        ),
        pytest.param(
            "windows/amd64:10.0.17763.1879",
            Platform(os="windows", architecture="amd64", os_version="10.0.17763.1879"),
            id="osversion",
        ),
        pytest.param("linux", Platform(os="linux"), id="os-only"),
        pytest.param("", Platform(), id="empty"),
        pytest.param(
            "windows/amd64 (osfeatures=win32k,x) (features=sse4)",
            Platform(
                os="windows", architecture="amd64", os_features=("win32k", "x"), features=("sse4",)
            ),
            id="features",
        ),
    ],
)
def test_parse(text: str, expected: Platform) -> None:
    parsed = Platform.parse(text)
    assert parsed == expected
    assert str(parsed) == text


@pytest.mark.parametrize(
    ("text", "match"),
    [
        pytest.param("linux/arm/v7/extra", "too many slashes", id="slashes"),
        pytest.param("linux/amd64:1:2", "more than one ':'", id="colons"),
        pytest.param("linux/amd64 (bogus=1)", "unknown parenthetical", id="parenthetical"),
        pytest.param("a b c d", "too many spaces", id="spaces"),
    ],
)
def test_parse_rejects(text: str, match: str) -> None:
    with pytest.raises(PlatformParseError, match=match):
        Platform.parse(text)


def test_str_without_os_is_empty() -> None:
    assert str(Platform(architecture="amd64")) == ""


def test_equals_ignores_feature_order() -> None:
    a = Platform(os="linux", architecture="amd64", features=["b", "a"])
    b = Platform(os="linux", architecture="amd64", features=("a", "b"))
    assert a.equals(b)
    assert a != b
    assert not a.equals(Platform(os="linux", architecture="amd64"))


@pytest.mark.parametrize(
    ("have", "spec", "expected"),
    [
        pytest.param("linux/arm64/v8", "linux/arm64", True, id="empty-variant-wildcard"),
        pytest.param("linux/arm64", "linux/arm64/v8", False, id="missing-variant"),
        pytest.param("linux/amd64", "", True, id="empty-spec"),
        pytest.param("linux/amd64", "windows/amd64", False, id="os-differs"),
        pytest.param("windows/amd64:10.0.1", "windows/amd64", True, id="osversion-wildcard"),
        pytest.param("linux/amd64 (features=a,b)", "linux (features=b)", True, id="subset"),
        pytest.param("linux/amd64 (features=a)", "linux (features=a,b)", False, id="superset"),
    ],
)
def test_satisfies(have: str, spec: str, expected: bool) -> None:
    assert Platform.parse(have).satisfies(Platform.parse(spec)) is expected


@pytest.mark.parametrize(
    ("platform", "json"),
    [
        pytest.param(Platform(), b'{"architecture":"","os":""}', id="empty"),
        pytest.param(
            Platform(
                os="windows",
                architecture="amd64",
                os_version="10.0",
                os_features=("win32k",),
                variant="v1",
                features=("f",),
            ),
            b'{"architecture":"amd64","os":"windows","os.version":"10.0",'
            b'"os.features":["win32k"],"variant":"v1","features":["f"]}',
            id="every-field",
        ),
    ],
)
def test_json(platform: Platform, json: bytes) -> None:
    assert platform.to_json() == json
    assert Platform.from_json(json) == platform


def test_from_json_is_case_insensitive_like_go() -> None:
    parsed = Platform.from_json(b'{"OS":"linux","Architecture":"arm","extra":1}')
    assert parsed == Platform(os="linux", architecture="arm")


def test_from_json_names_bad_field() -> None:
    with pytest.raises(PlatformParseError, match=r"field os\.features\[1\]: want a string"):
        Platform.from_json(b'{"os.features":["a",3]}')
