"""parse_reference accepts exactly what crane v0.21.9's name.ParseReference accepts.

Each verdict below was read off the Go binary (``crane manifest -- TEXT``: "could
not parse reference" or not), for the rules ggcr's pkg/name applies: repository
paths of 2 to 255 characters out of ``[a-z0-9_-./]`` (counted before ``library/``
is added), tags of 1 to 128 characters out of ``[A-Za-z0-9_.-]``, sha256 digests
of 64 lowercase hex characters, a tag before ``@`` dropped, and the registry a
RFC 3986 authority.
"""

from __future__ import annotations

import pytest

from containerregistry.name import BadNameError, Digest, parse_reference

DIGEST = "sha256:" + "a" * 64

VERDICTS = [
    pytest.param("ab", True, id="two-characters"),
    pytest.param("x", False, id="one-character-hub"),
    pytest.param("127.0.0.1:1/x", False, id="one-character-registry"),
    pytest.param("127.0.0.1:1/ab", True, id="two-characters-registry"),
    pytest.param("localhost/x", False, id="one-character-localhost"),
    pytest.param("gcr.io/x/y", True, id="one-character-parts"),
    pytest.param("a" * 255, True, id="255-on-hub-library-not-counted"),
    pytest.param("a" * 256, False, id="256-on-hub"),
    pytest.param("gcr.io/" + "a" * 255, True, id="255"),
    pytest.param("gcr.io/" + "a" * 256, False, id="256"),
    pytest.param("ab:", False, id="empty-tag"),
    pytest.param("ab:v1", True, id="tag"),
    pytest.param("ab:-v", True, id="tag-leading-dash"),
    pytest.param("ab:.v", True, id="tag-leading-dot"),
    pytest.param("ab:" + "t" * 128, True, id="tag-128"),
    pytest.param("ab:" + "t" * 129, False, id="tag-129"),
    pytest.param("ab:a:b", False, id="two-tags"),
    pytest.param("ab:\u00e9", False, id="tag-non-ascii"),
    pytest.param("Ab", False, id="uppercase"),
    pytest.param("ab/C", False, id="uppercase-later"),
    pytest.param("a b", False, id="space"),
    pytest.param("ab//c", True, id="empty-component"),
    pytest.param("/ab", True, id="leading-slash"),
    pytest.param("ab/", True, id="trailing-slash"),
    pytest.param("_ab", True, id="leading-underscore"),
    pytest.param("ab...c", True, id="dots"),
    pytest.param("ab@" + DIGEST, True, id="digest"),
    pytest.param("ab:v1@" + DIGEST, True, id="tag-and-digest"),
    pytest.param("ab@sha256:abc", False, id="short-digest"),
    pytest.param("ab@sha256:" + "A" * 64, False, id="uppercase-digest"),
    pytest.param("ab@sha512:" + "a" * 128, False, id="sha512"),
    pytest.param("ab@@" + DIGEST, False, id="two-at-signs"),
    pytest.param("ab@", False, id="empty-digest"),
    pytest.param("localhost:1/ab:v1@" + DIGEST, True, id="port-tag-digest"),
    pytest.param("[::1]:1/ab", True, id="ipv6"),
    pytest.param("[::1/ab", False, id="ipv6-unclosed"),
    pytest.param("a:b:c/ab", False, id="two-ports"),
    pytest.param("gcr.io:/ab", True, id="empty-port"),
    pytest.param("docker.io/ab", True, id="docker-io"),
    pytest.param("x@" + DIGEST, False, id="one-character-digest"),
    pytest.param("127.0.0.1:1/x@" + DIGEST, False, id="one-character-registry-digest"),
]


@pytest.mark.parametrize(("text", "parses"), VERDICTS)
def test_same_verdict_as_crane(text: str, parses: bool) -> None:
    if parses:
        parse_reference(text)
    else:
        with pytest.raises(BadNameError):
            parse_reference(text)


def test_a_tag_before_the_digest_is_dropped() -> None:
    reference = parse_reference("127.0.0.1:1/ab:v1@" + DIGEST)
    assert isinstance(reference, Digest)
    assert reference.name == "127.0.0.1:1/ab@" + DIGEST
    assert str(reference) == "127.0.0.1:1/ab:v1@" + DIGEST


def test_the_one_character_error_says_the_rule() -> None:
    with pytest.raises(BadNameError) as info:
        parse_reference("127.0.0.1:5000/x:v1")
    assert str(info.value) == (
        'could not parse reference "127.0.0.1:5000/x:v1": '
        "repository must be between 2 and 255 characters in length"
    )


def test_an_empty_tag_error_says_the_rule() -> None:
    with pytest.raises(BadNameError) as info:
        parse_reference("gcr.io/ab:")
    assert (
        str(info.value)
        == 'could not parse reference "gcr.io/ab:": a tag name must follow the colon'
    )
