"""go_json_dumps writes what Go's encoding/json writes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from containerregistry.v1 import (
    Descriptor,
    GoStruct,
    Hash,
    Platform,
    go_json_dumps,
    go_quote,
)

_SHORT_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def reference_go_string(text: str) -> bytes:
    """An independent, character-by-character model of Go 1.22+ string encoding."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20:
            out.append(_SHORT_ESCAPES.get(ch, f"\\u{code:04x}"))
        elif ch in "<>&" or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out).encode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", b'"plain"', id="ascii"),
        pytest.param("a<b>&c", b'"a\\u003cb\\u003e\\u0026c"', id="html-escapes"),
        pytest.param("\u2028\u2029", b'"\\u2028\\u2029"', id="js-line-terminators"),
        pytest.param("é中😀", '"é中😀"'.encode(), id="raw-utf8"),
        pytest.param("\n\r\t\b\f", b'"\\n\\r\\t\\b\\f"', id="short-control"),
        pytest.param("\x00\x1f\x7f", b'"\\u0000\\u001f\x7f"', id="other-control"),
        pytest.param('q"b\\', b'"q\\"b\\\\"', id="quote-backslash"),
        pytest.param("\ud800x", '"\ufffdx"'.encode(), id="lone-surrogate"),
        pytest.param("/", b'"/"', id="slash-not-escaped"),
    ],
)
def test_go_quote(value: str, expected: bytes) -> None:
    assert go_quote(value) == expected


@given(st.text(st.characters(blacklist_categories=())))
def test_go_quote_matches_reference_model(text: str) -> None:
    assert go_quote(text) == reference_go_string(text)


@pytest.mark.parametrize(
    ("tree", "expected"),
    [
        pytest.param({"b": 1, "a": [True, None]}, b'{"a":[true,null],"b":1}', id="map-sorted"),
        pytest.param(GoStruct(b=1, a=2), b'{"b":1,"a":2}', id="struct-ordered"),
        pytest.param(
            GoStruct(Config="c", RepoTags=["r"], Layers=[], LayerSources={"z": 1, "y": 2}),
            b'{"Config":"c","RepoTags":["r"],"Layers":[],"LayerSources":{"y":2,"z":1}}',
            id="nested-map-in-struct",
        ),
        pytest.param({"é": 1, "z": 2, "Z": 3}, '{"Z":3,"z":2,"é":1}'.encode(), id="utf8-order"),
        pytest.param({"<": "&"}, b'{"\\u003c":"\\u0026"}', id="escaped-key"),
        pytest.param(b"\x00\xff", b'"AP8="', id="bytes-base64"),
        pytest.param(frozenset({"80/tcp", "443/tcp"}), b'{"443/tcp":{},"80/tcp":{}}', id="set"),
        pytest.param((), b"[]", id="empty-tuple"),
        pytest.param(None, b"null", id="null"),
        pytest.param({2: "x", 10: "y"}, b'{"10":"y","2":"x"}', id="int-keys-as-strings"),
        pytest.param(-(1 << 63), b"-9223372036854775808", id="int64-min"),
    ],
)
def test_go_json_dumps(tree: object, expected: bytes) -> None:
    assert go_json_dumps(tree) == expected


def test_go_json_dumps_embeds_model_objects() -> None:
    digest = Hash.of(b"")
    descriptor = Descriptor(
        media_type="m", size=0, digest=digest, platform=Platform(os="linux", architecture="x")
    )
    tree = {"manifests": [descriptor], "digest": digest}
    assert go_json_dumps(tree) == (
        b'{"digest":"' + str(digest).encode() + b'","manifests":[' + descriptor.to_json() + b"]}"
    )


def test_go_json_dumps_refuses_floats() -> None:
    with pytest.raises(TypeError, match="float"):
        go_json_dumps({"x": 1.5})


def test_go_json_dumps_refuses_unknown_objects() -> None:
    with pytest.raises(TypeError, match="object"):
        go_json_dumps(object())
