"""Property tests: generated valid references parse and round-trip; bad characters fail."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from containerregistry.name import BadNameError, Digest, Tag, parse_reference

LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
REPOSITORY_CHARS = LOWER_ALNUM + "_-./"
TAG_CHARS = LOWER_ALNUM + "_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_label = st.text(LOWER_ALNUM, min_size=1, max_size=8)
_port = st.integers(min_value=1, max_value=65535).map(lambda p: f":{p}")
_hostname = st.builds(
    lambda labels, port: ".".join(labels) + port,
    st.lists(_label, min_size=2, max_size=4),
    st.one_of(st.just(""), _port),
)
_ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
registries = st.one_of(
    st.just(""),  # no registry: Docker Hub
    _hostname,
    st.just("localhost"),
    _port.map(lambda p: "localhost" + p),
    st.builds(lambda ip, port: ip + port, _ipv4, st.one_of(st.just(""), _port)),
    _port.map(lambda p: "[::1]" + p),
)
_component = st.builds(
    lambda first, rest: first + "".join(sep + word for sep, word in rest),
    _label,
    st.lists(st.tuples(st.sampled_from([".", "_", "__", "-", "--"]), _label), max_size=2),
)
# ggcr v0.21.9 wants a repository path of at least 2 characters.
paths = st.lists(_component, min_size=1, max_size=4).map("/".join).filter(lambda p: len(p) >= 2)
tags = st.text(TAG_CHARS, min_size=1, max_size=128)
digests = st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256:" + h)


@st.composite
def references(draw: st.DrawFn) -> str:
    registry = draw(registries)
    path = draw(paths)
    first = path.split("/", 1)[0]
    if not registry and "/" in path:
        # Without a registry the first part must not look like one.
        assume("." not in first and first != "localhost")
    text = f"{registry}/{path}" if registry else path
    tag = draw(st.one_of(st.none(), tags))
    if tag is not None:
        text += ":" + tag
    digest = draw(st.one_of(st.none(), digests))
    if digest is not None:
        text += "@" + digest
    return text


@given(references(), st.booleans())
def test_valid_references_parse_and_round_trip(text: str, insecure: bool) -> None:
    reference = parse_reference(text, insecure=insecure)
    assert str(reference) == text
    assert isinstance(reference, Digest if "@" in text else Tag)
    again = parse_reference(reference.name, insecure=insecure)
    assert again == reference
    assert hash(again) == hash(reference)
    assert again.name == reference.name
    assert reference.insecure is insecure
    assert reference.scheme in ("http", "https")
    assert reference.scope("pull") == f"repository:{reference.repository_str}:pull"
    assert reference.name.startswith(reference.registry_str + "/")


@given(references())
def test_strict_accepts_fully_qualified_names(text: str) -> None:
    reference = parse_reference(text)
    assert parse_reference(reference.name, strict=True) == reference


_not_repository = st.characters(
    exclude_characters=REPOSITORY_CHARS + ":@", exclude_categories=["Cs"]
)
_not_tag = st.characters(exclude_characters=TAG_CHARS + ":@/", exclude_categories=["Cs"])


@given(paths, st.data())
def test_bad_repository_characters_are_rejected(path: str, data: st.DataObject) -> None:
    bad = data.draw(_not_repository)
    position = data.draw(st.integers(0, len(path)))
    text = "gcr.io/" + path[:position] + bad + path[position:]
    with pytest.raises(BadNameError, match="repository can only contain") as info:
        parse_reference(text)
    assert "\n" not in str(info.value)


@given(tags, st.data())
def test_bad_tag_characters_are_rejected(tag: str, data: st.DataObject) -> None:
    bad = data.draw(_not_tag)
    position = data.draw(st.integers(0, len(tag)))
    text = "gcr.io/p/i:" + tag[:position] + bad + tag[position:]
    with pytest.raises(BadNameError, match=r"tag (can only contain|must be between)") as info:
        parse_reference(text)
    assert "\n" not in str(info.value)


@given(st.text())
def test_any_text_parses_or_raises_bad_name_on_one_line(text: str) -> None:
    error: BadNameError | None = None
    try:
        reference = parse_reference(text)
    except BadNameError as exc:
        error = exc
    else:
        assert str(reference) == text
    if error is not None:
        assert "\n" not in str(error)
        assert error.text == text
