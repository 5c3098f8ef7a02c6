"""parse_reference: tag first, then digest; options; errors that name the input."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

from containerregistry.name import (
    BadNameError,
    Digest,
    Tag,
    new_digest,
    new_tag,
    parse_reference,
)

DIGEST = "sha256:deadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33fdeadb33f"


@pytest.mark.parametrize(
    ("text", "kind", "full"),
    [
        pytest.param("ubuntu", Tag, "index.docker.io/library/ubuntu:latest", id="bare"),
        pytest.param("ubuntu:22.04", Tag, "index.docker.io/library/ubuntu:22.04", id="tag"),
        pytest.param("docker.io/user/app:v1", Tag, "index.docker.io/user/app:v1", id="docker-io"),
        pytest.param("gcr.io/p/i:v1", Tag, "gcr.io/p/i:v1", id="gcr"),
        pytest.param("localhost:5000/im", Tag, "localhost:5000/im:latest", id="localhost-port"),
        pytest.param("localhost/im:v1", Tag, "localhost/im:v1", id="localhost"),
        pytest.param(
            "ubuntu@" + DIGEST, Digest, "index.docker.io/library/ubuntu@" + DIGEST, id="dig"
        ),
        pytest.param(
            "nginx:latest@" + DIGEST, Digest, "index.docker.io/library/nginx@" + DIGEST, id="both"
        ),
        pytest.param("gcr.io/p/i:v1@" + DIGEST, Digest, "gcr.io/p/i@" + DIGEST, id="both-gcr"),
    ],
)
def test_parses(text: str, kind: type, full: str) -> None:
    reference = parse_reference(text)
    assert type(reference) is kind
    assert reference.name == full
    assert str(reference) == text


@pytest.mark.parametrize(
    "text",
    ["gcr.io/g-convoy/hello-world:latest", "library/ubuntu", "namespace/pathcomponent/image"],
)
def test_tags_match_new_tag(text: str) -> None:
    assert parse_reference(text) == new_tag(text)


@pytest.mark.parametrize(
    "text",
    ["gcr.io/g-convoy/hello-world@" + DIGEST, "library/ubuntu@" + DIGEST, "nginx:latest@" + DIGEST],
)
def test_digests_match_new_digest(text: str) -> None:
    assert parse_reference(text) == new_digest(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "Foo:bar",
            'could not parse reference "Foo:bar": repository can only contain the characters '
            "abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="uppercase-repository",
        ),
        pytest.param(
            "@@",
            'could not parse reference "@@": a digest reference must contain exactly one '
            "'@' (e.g. registry/repository@sha256:<64 hex characters>)",
            id="two-ats",
        ),
        pytest.param(
            "ubuntu@sha256:abc",
            'could not parse reference "ubuntu@sha256:abc": a sha256 digest must have exactly '
            "64 lowercase hexadecimal characters",
            id="short-digest",
        ),
        pytest.param(
            "ubuntu:bad tag",
            'could not parse reference "ubuntu:bad tag": tag can only contain the characters '
            "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            id="bad-tag",
        ),
        pytest.param(
            "",
            'could not parse reference "": a repository name must be specified',
            id="empty",
        ),
        pytest.param(
            "https://gcr.io/p/i:v1",
            'could not parse reference "https://gcr.io/p/i:v1": an image reference has no URL '
            "scheme: drop the http:// or https:// (pass insecure=True to allow plain http)",
            id="url-scheme",
        ),
        pytest.param(
            "ubuntu\n:latest",
            'could not parse reference "ubuntu\\n:latest": repository can only contain the '
            "characters abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="newline-escaped",
        ),
        pytest.param(
            'a"b',
            'could not parse reference "a\\"b": repository can only contain the characters '
            "abcdefghijklmnopqrstuvwxyz0123456789_-./",
            id="quote-escaped",
        ),
    ],
)
def test_errors_name_the_input_and_the_rule(text: str, message: str) -> None:
    with pytest.raises(BadNameError) as info:
        parse_reference(text)
    assert str(info.value) == message
    assert info.value.text == text
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "options", "full"),
    [
        pytest.param("ubuntu", {"default_tag": "stable"}, "index.docker.io/library/ubuntu:stable"),
        pytest.param("ubuntu", {"default_registry": "gcr.io"}, "gcr.io/ubuntu:latest"),
        pytest.param("gcr.io/a/b:v1", {"strict": True}, "gcr.io/a/b:v1"),
        pytest.param("gcr.io/a/b@" + DIGEST, {"strict": True}, "gcr.io/a/b@" + DIGEST),
        pytest.param(
            "index.docker.io/library/ubuntu:22.04",
            {"strict": True},
            "index.docker.io/library/ubuntu:22.04",
        ),
        pytest.param(
            "ubuntu@" + DIGEST,
            {"default_tag": "stable"},
            "index.docker.io/library/ubuntu@" + DIGEST,
        ),
    ],
)
def test_options(text: str, options: dict[str, object], full: str) -> None:
    assert parse_reference(text, **options).name == full  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        pytest.param("ubuntu", "strict validation requires the tag to be explicitly defined"),
        pytest.param("gcr.io/a/b", "strict validation requires the tag to be explicitly defined"),
        pytest.param(
            "library/ubuntu:v1", "strict validation requires the registry to be explicitly defined"
        ),
        pytest.param(
            "docker.io/ubuntu:v1",
            "strict validation requires the full repository path (missing 'library/')",
        ),
        pytest.param(
            "ubuntu@" + DIGEST, "strict validation requires the registry to be explicitly defined"
        ),
    ],
)
def test_strict(text: str, reason: str) -> None:
    with pytest.raises(BadNameError) as info:
        parse_reference(text, strict=True)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("text", "insecure", "scheme"),
    [
        ("gcr.io/p/i", False, "https"),
        ("gcr.io/p/i", True, "http"),
        ("localhost:5000/im", False, "http"),
        ("localhost/im", False, "http"),
        ("192.168.1.10/im@" + DIGEST, False, "http"),
        ("127.0.0.1.evil.com/im", False, "https"),
    ],
)
def test_scheme(text: str, insecure: bool, scheme: str) -> None:
    reference = parse_reference(text, insecure=insecure)
    assert reference.scheme == scheme
    assert reference.context.scheme == scheme
    assert reference.insecure is insecure


def test_scope() -> None:
    assert parse_reference("ubuntu").scope("pull") == "repository:library/ubuntu:pull"
    assert parse_reference("gcr.io/p/i@" + DIGEST).scope("push") == "repository:p/i:push"
    assert parse_reference("gcr.io/p/i").registry.scope("pull") == "registry:catalog:*"


def test_references_are_hashable_and_distinct_by_kind() -> None:
    tag = parse_reference("gcr.io/p/i:v1")
    digest = parse_reference("gcr.io/p/i@" + DIGEST)
    assert tag != digest
    assert {tag, digest, parse_reference("gcr.io/p/i:v1")} == {tag, digest}


def test_import_is_cheap() -> None:
    code = (
        "import sys, containerregistry.name as n; "
        "n.parse_reference('gcr.io/p/i:v1'); "
        "heavy = {'ipaddress', 'json', 'zstandard', 'requests', 'typer'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("text", ["ubuntu", "gcr.io/p/i:v1", "nginx:1@" + DIGEST])
def test_pickle_and_copy_keep_everything(text: str) -> None:
    reference = parse_reference(text, insecure=True)
    for clone in (pickle.loads(pickle.dumps(reference)), copy.deepcopy(reference)):
        assert clone == reference
        assert str(clone) == text
        assert clone.scheme == "http"
