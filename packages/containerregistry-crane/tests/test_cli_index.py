"""``crane index append``, ``filter`` and ``list`` against the embedded registry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from containerregistry import empty, mutate, name, remote, types
from containerregistry.crane.cli import _index as index_cli
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Config, ConfigFile


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def make_app() -> typer.Typer:
    app = build_app("crane")
    if "index" not in {group.name for group in app.registered_groups}:
        index_cli.register(app)
    return app


def run(*argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(make_app(), list(argv))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def push_image(registry: str, repo: str, os: str, arch: str, variant: str = "") -> str:
    image = mutate.config_file(
        empty.image,
        ConfigFile(os=os, architecture=arch, variant=variant, config=Config(user=arch)),
    )
    ref = f"{registry}/{repo}"
    remote.write(name.parse_reference(ref), image)
    return ref


def get(ref: str) -> remote.Descriptor:
    return remote.get(name.parse_reference(ref))


@pytest.fixture(scope="module")
def platforms_index(registry: str) -> str:
    amd = push_image(registry, "index/parts:amd64", "linux", "amd64")
    arm = push_image(registry, "index/parts:arm64", "linux", "arm64", "v8")
    win = push_image(registry, "index/parts:windows", "windows", "amd64")
    code, _, err = run("index", "append", "-m", amd, "-m", arm, "-m", win, "-t",
                       f"{registry}/index/multi:v1")  # fmt: skip
    assert code == 0, err
    return f"{registry}/index/multi:v1"


def test_append_from_scratch_records_platforms(registry: str, platforms_index: str) -> None:
    descriptor = get(platforms_index)
    assert descriptor.media_type == types.OCI_IMAGE_INDEX
    children = descriptor.image_index().index_manifest().manifests or ()
    assert [str(child.platform) for child in children] == [
        "linux/amd64",
        "linux/arm64/v8",
        "windows/amd64",
    ]
    assert [child.digest for child in children] == [
        get(f"{registry}/index/parts:{tag}").digest for tag in ("amd64", "arm64", "windows")
    ]


def test_append_prints_digest_ref_and_docker_empty_base(registry: str) -> None:
    amd = push_image(registry, "index/parts:amd64", "linux", "amd64")
    ref = f"{registry}/index/docker:v1"
    code, out, err = run("index", "append", "--docker-empty-base", "-m", amd, "-t", ref)
    assert code == 0, err
    descriptor = get(ref)
    assert out == f"{registry}/index/docker@{descriptor.digest}\n"
    assert descriptor.media_type == types.DOCKER_MANIFEST_LIST
    assert "base unspecified, using empty index" in err


def test_append_index_flattens_or_nests(registry: str, platforms_index: str) -> None:
    code, _, err = run("index", "append", "-m", platforms_index, "-t", f"{registry}/index/flat:v1")
    assert code == 0, err
    children = get(f"{registry}/index/flat:v1").image_index().index_manifest().manifests or ()
    assert len(children) == 3

    code, _, err = run("index", "append", "-m", platforms_index, "--flatten=false", "-t",
                       f"{registry}/index/nested:v1")  # fmt: skip
    assert code == 0, err
    children = get(f"{registry}/index/nested:v1").image_index().index_manifest().manifests or ()
    assert [child.digest for child in children] == [get(platforms_index).digest]


def test_append_to_a_base_in_place(registry: str, platforms_index: str) -> None:
    extra = push_image(registry, "index/parts:s390x", "linux", "s390x")
    code, _, err = run("index", "append", "-m", platforms_index, "-t", f"{registry}/index/grow:v1")
    assert code == 0, err
    code, out, err = run("index", "append", f"{registry}/index/grow:v1", "-m", extra)
    assert code == 0, err
    descriptor = get(f"{registry}/index/grow:v1")
    assert out == f"{registry}/index/grow@{descriptor.digest}\n"
    assert len(descriptor.image_index().index_manifest().manifests or ()) == 4


@pytest.mark.parametrize(
    ("platforms", "kept"),
    [
        pytest.param(["linux"], ["linux/amd64", "linux/arm64/v8"], id="os-wildcard"),
        pytest.param(["linux/arm64"], ["linux/arm64/v8"], id="variant-wildcard"),
        pytest.param(["windows/amd64,linux/amd64"], ["linux/amd64", "windows/amd64"], id="comma"),
    ],
)
def test_filter(registry: str, platforms_index: str, platforms: list[str], kept: list[str]) -> None:
    argv = [arg for platform in platforms for arg in ("--platform", platform)]
    target = f"{registry}/index/filtered:{len(kept)}"
    code, out, err = run("index", "filter", platforms_index, *argv, "-t", target)
    assert code == 0, err
    descriptor = get(target)
    assert out == f"{registry}/index/filtered@{descriptor.digest}\n"
    children = descriptor.image_index().index_manifest().manifests or ()
    assert [str(child.platform) for child in children] == kept


def test_filter_refuses_an_image(registry: str) -> None:
    amd = push_image(registry, "index/parts:amd64", "linux", "amd64")
    code, out, err = run("index", "filter", amd, "--platform", "linux")
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: expected {amd} to be an index, got ")


def test_list_rows(registry: str, platforms_index: str) -> None:
    index = mutate.append_manifests(
        get(platforms_index).image_index(), mutate.IndexAddendum(empty.image)
    )
    ref = f"{registry}/index/list:v1"
    remote.write_index(name.parse_reference(ref), index)
    code, out, err = run("index", "list", ref)
    assert code == 0, err
    rows = [f"{'Digest':<70} {'MediaType':<20} Platform"]
    for child in index.index_manifest().manifests or ():
        shown = str(child.platform) if child.platform is not None else "-"
        rows.append(f"{child.digest!s:<70} {child.media_type:<20} {shown}")
    assert out == "\n".join(rows) + "\n"
    assert out.splitlines()[-1].endswith(" -")


def test_append_needs_a_base_or_a_tag() -> None:
    code, out, err = run("index", "append")
    assert (code, out) == (1, "")
    assert err == "Error: at least one of --base or --tag must be specified\n"
