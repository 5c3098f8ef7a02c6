"""The Python API: options, copy, pull, push, save/load, save_oci, digest, validate."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from containerregistry import crane, name, random, remote
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Platform


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    address = f"127.0.0.1:{server.port}"
    remote.write(name.parse_reference(f"{address}/api/img:v1"), random.image(1024, 2, seed=5))
    try:
        yield address
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("args", "field", "want"),
    [
        pytest.param({}, "platform", None, id="platform-default-all"),
        pytest.param({"platform": "all"}, "platform", None, id="platform-all"),
        pytest.param(
            {"platform": "linux/arm64/v8"},
            "platform",
            Platform(os="linux", architecture="arm64", variant="v8"),
            id="platform-parsed",
        ),
        pytest.param({"jobs": 0}, "jobs", 4, id="jobs-zero-means-4"),
        pytest.param({"jobs": 7}, "jobs", 7, id="jobs"),
    ],
)
def test_options(args: crane.OptionArgs, field: str, want: object) -> None:
    assert getattr(crane.Options.make(args), field) == want


@pytest.mark.parametrize(
    "args",
    [
        pytest.param({"colour": "red"}, id="unknown"),
        pytest.param({"jobs": "4"}, id="jobs-type"),
        pytest.param({"keychain": object(), "authenticator": object()}, id="conflict"),
    ],
)
def test_bad_options(args: dict[str, object]) -> None:
    with pytest.raises(crane.CraneOptionsError):
        crane.Options.make(args)  # type: ignore[arg-type]


def test_copy_pull_push_and_digest(host: str, tmp_path: Path) -> None:
    src = f"{host}/api/img:v1"
    crane.copy(src, f"{host}/api/copy:v1")
    assert crane.digest(f"{host}/api/copy:v1") == crane.digest(src)
    with pytest.raises(crane.RefusingToClobberError):
        crane.copy(src, f"{host}/api/copy:v1", no_clobber=True)
    image = crane.pull(src)
    assert crane.manifest(src) == image.raw_manifest()
    assert crane.config(src) == image.raw_config_file()
    pushed = crane.push(image, f"{host}/api/pushed:v2")
    assert str(pushed) == f"{host}/api/pushed@{image.digest()}"
    assert crane.list_tags(f"{host}/api/pushed") == ["v2"]
    assert "api/pushed" in crane.catalog(host)
    crane.tag(f"{host}/api/pushed:v2", "v3")
    crane.delete(f"{host}/api/pushed:v3")


def test_save_load_and_save_oci(host: str, tmp_path: Path) -> None:
    src = f"{host}/api/img:v1"
    image = crane.pull(src)
    crane.save(image, src, tmp_path / "img.tar")
    assert crane.load(tmp_path / "img.tar").digest() == image.digest()
    crane.save_oci(image, tmp_path / "layout", ref_name=src)
    crane.save_oci(image, tmp_path / "layout", ref_name=src)
    index = json.loads((tmp_path / "layout" / "index.json").read_bytes())
    assert [m["digest"] for m in index["manifests"]] == [str(image.digest())]
    crane.validate(crane.load_input(os.fspath(tmp_path / "layout")))
    crane.save_legacy(image, src, tmp_path / "legacy.tar")
    with tarfile.open(tmp_path / "legacy.tar") as archive:
        names = archive.getnames()
    assert "repositories" in names
    assert "manifest.json" in names
