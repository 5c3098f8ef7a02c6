"""How image arguments are parsed: skopeo's transports, crane's plain references and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from containerregistry.crane._inputs import TRANSPORT_PREFIXES, is_local
from containerregistry.crane._transports import (
    DOCKER_PREFIX,
    TRANSPORTS,
    Location,
    TransportError,
    parse,
    registry_text,
)

#: (argument, kind, target, ref) for a source argument.
SOURCES = [
    ("ubuntu", "registry", "ubuntu", None),
    ("reg.example/a/b:v1", "registry", "reg.example/a/b:v1", None),
    ("docker://reg.example/a/b:v1", "registry", "reg.example/a/b:v1", None),
    ("docker://ubuntu", "registry", "ubuntu", None),
    # The official image "docker" is not skopeo's docker:// transport.
    ("docker:24", "registry", "docker:24", None),
    ("docker-daemon:app:1", "docker-daemon", "app:1", None),
    ("docker-daemon:app", "docker-daemon", "app", None),
    ("docker-daemon:localhost:5000/app:1", "docker-daemon", "localhost:5000/app:1", None),
    ("docker-daemon:app@sha256:" + "a" * 64, "docker-daemon", "app@sha256:" + "a" * 64, None),
    ("docker-archive:/tmp/a.tar", "docker-archive", "/tmp/a.tar", None),
    ("docker-archive:/tmp/a.tar:app:1", "docker-archive", "/tmp/a.tar", "app:1"),
    (
        "docker-archive:a.tar:reg.example:5000/app:1",
        "docker-archive",
        "a.tar",
        "reg.example:5000/app:1",
    ),
    ("oci:/tmp/layout", "oci", "/tmp/layout", None),
    ("oci:/tmp/layout:v1", "oci", "/tmp/layout", "v1"),
    ("oci:layout", "oci", "layout", None),
    ("oci:./5000/app", "oci", "./5000/app", None),
    ("oci-archive:/tmp/o.tar", "oci-archive", "/tmp/o.tar", None),
    ("oci-archive:/tmp/o.tar:v1", "oci-archive", "/tmp/o.tar", "v1"),
    # A word and a port is a registry host, as crane reads it (skopeo: layout "5000/app").
    ("oci:5000/app", "registry", "oci:5000/app", None),
    ("oci:5000", "registry", "oci:5000", None),
    ("oci-archive:443/team/app:v1", "registry", "oci-archive:443/team/app:v1", None),
    ("docker-daemon:5000/app", "registry", "docker-daemon:5000/app", None),
    # crane's plain local paths.
    ("/tmp/x.tar", "path", "/tmp/x.tar", None),
    ("./layout", "path", "./layout", None),
    ("../up", "path", "../up", None),
    ("~/images/x.tar", "path", "~/images/x.tar", None),
    ("gs://bucket/dir", "path", "gs://bucket/dir", None),
]


@pytest.mark.parametrize(
    ("text", "kind", "target", "ref"), SOURCES, ids=[case[0] for case in SOURCES]
)
def test_parse_a_source(text: str, kind: str, target: str, ref: str | None) -> None:
    assert parse(text) == Location(kind, target, ref, text=text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kind"), [(c[0], c[1]) for c in SOURCES], ids=[c[0] for c in SOURCES]
)
def test_is_local_agrees_with_parse(text: str, kind: str) -> None:
    # is_local answers a plain argument without loading the transports module.
    assert is_local(text) is (kind != "registry")


def test_the_cheap_prefix_check_names_every_transport() -> None:
    assert set(TRANSPORT_PREFIXES) == {DOCKER_PREFIX, *(kind + ":" for kind in TRANSPORTS)}


#: A destination: plain text is always a registry (crane's copy never writes a path).
SINKS = [
    ("/tmp/x.tar", "registry"),
    ("./layout", "registry"),
    ("reg.example/a:v1", "registry"),
    ("docker://reg.example/a:v1", "registry"),
    ("oci:/tmp/out:v1", "oci"),
    ("oci-archive:/tmp/o.tar", "oci-archive"),
    ("docker-archive:/tmp/a.tar:app:1", "docker-archive"),
    ("docker-daemon:app:1", "docker-daemon"),
    ("oci:5000/app:1", "registry"),
]


@pytest.mark.parametrize(("text", "kind"), SINKS, ids=[case[0] for case in SINKS])
def test_parse_a_destination(text: str, kind: str) -> None:
    assert parse(text, sink=True).kind == kind


def test_an_existing_file_or_layout_is_a_path_but_a_plain_folder_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image.tar").write_bytes(b"")
    (tmp_path / "layout").mkdir()
    (tmp_path / "layout" / "index.json").write_text("{}")
    (tmp_path / "ubuntu").mkdir()
    assert [parse(t).kind for t in ("image.tar", "layout", "ubuntu")] == [
        "path",
        "path",
        "registry",
    ]
    assert [is_local(t) for t in ("image.tar", "layout", "ubuntu")] == [True, True, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("docker://", "'docker://' names no image; write docker://REGISTRY/REPO:TAG"),
        ("oci:", "'oci:' names no image: give a path after oci:"),
        ("oci::v1", "'oci::v1' names no image: give a path after oci:"),
        ("docker-archive:", "'docker-archive:' names no image: give a path after docker-archive:"),
        (
            "docker-daemon:",
            "'docker-daemon:' names no image: give an image name after docker-daemon:",
        ),
    ],
)
def test_a_transport_with_nothing_after_it(text: str, message: str) -> None:
    with pytest.raises(TransportError) as caught:
        parse(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "plain"),
    [("docker://reg/a:1", "reg/a:1"), ("reg/a:1", "reg/a:1"), ("oci:/x", "oci:/x")],
)
def test_registry_text_drops_only_docker_slash_slash(text: str, plain: str) -> None:
    assert registry_text(text) == plain


def test_str_is_what_the_user_wrote() -> None:
    assert str(parse("oci:/tmp/l:v1")) == "oci:/tmp/l:v1"
