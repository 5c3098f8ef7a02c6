"""Flags beyond crane: several platforms, --referrers, --all-platforms, --compression,
local inputs and tag --delete, against the embedded registry."""

from __future__ import annotations

import dataclasses
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from containerregistry import empty, layout, mutate, name, random, remote, types
from containerregistry.crane.cli import build_app
from containerregistry.registry import Registry, make_server
from containerregistry.v1 import Descriptor, Image, Platform

ARCHES = ("amd64", "arm64", "s390x")


def platform_image(seed: int, arch: str) -> Image:
    """A random two-layer Docker image whose config says linux/<arch>."""
    image = random.image(300, 2, seed=seed)
    config = dataclasses.replace(image.config_file(), os="linux", architecture=arch)
    return mutate.config_file(image, config)


def push_index(address: str, repo: str) -> str:
    """Push a Docker list of three platform images to <repo>:v1; return its digest."""
    adds = [
        mutate.IndexAddendum(
            platform_image(seed, arch),
            platform=Platform(os="linux", architecture=arch),
            annotations={"child": arch},
        )
        for seed, arch in enumerate(ARCHES, start=10)
    ]
    index = mutate.index_media_type(
        mutate.append_manifests(empty.index, *adds), types.DOCKER_MANIFEST_LIST
    )
    remote.write_index(name.parse_reference(f"{address}/{repo}:v1"), index)
    return str(index.digest())


def _serve(app: Any) -> Iterator[str]:
    server = make_server(app, address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def host() -> Iterator[str]:
    """An embedded registry with the referrers API; a/multi:v1 is a 3-platform list."""
    for address in _serve(Registry()):
        push_index(address, "a/multi")
        remote.write(name.parse_reference(f"{address}/a/img:v1"), platform_image(1, "amd64"))
        yield address


def run(*argv: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app("crane"), list(argv))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def manifest_json(ref: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(remote.get(name.parse_reference(ref)).raw_manifest())
    return loaded


def child_platforms(ref: str) -> list[str]:
    return [
        f"{c['platform']['os']}/{c['platform']['architecture']}"
        for c in manifest_json(ref)["manifests"]
    ]


# -- several platforms ------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(("--platform", "linux/amd64,linux/s390x", "copy"), id="global-comma-list"),
        pytest.param(
            ("copy", "--platform", "linux/amd64", "--platform", "linux/s390x"), id="repeated"
        ),
        pytest.param(("copy", "--platform", "linux/s390x,linux/amd64"), id="command-comma-list"),
    ],
)
def test_copy_several_platforms_keeps_an_index_of_those(host: str, argv: tuple[str, ...]) -> None:
    dst = f"{host}/plat/{abs(hash(argv))}:v1"
    code, out, _ = run(*argv, f"{host}/a/multi:v1", dst)
    assert (code, out) == (0, "")
    # Index order is kept, whatever order the platforms were given in.
    assert child_platforms(dst) == ["linux/amd64", "linux/s390x"]
    source = {c["digest"] for c in manifest_json(f"{host}/a/multi:v1")["manifests"]}
    copied = manifest_json(dst)["manifests"]
    assert {c["digest"] for c in copied} <= source
    assert [c["annotations"] for c in copied] == [{"child": "amd64"}, {"child": "s390x"}]


def test_copy_one_platform_keeps_crane_behaviour(host: str) -> None:
    assert (
        run("copy", "--platform", "linux/arm64", f"{host}/a/multi:v1", f"{host}/one/p:v1")[0] == 0
    )
    assert manifest_json(f"{host}/one/p:v1")["mediaType"] == types.DOCKER_MANIFEST_SCHEMA2


def test_copy_unknown_platform_fails_clearly(host: str) -> None:
    code, _, err = run(
        "copy", "--platform", "linux/amd64,linux/riscv64", f"{host}/a/multi:v1", f"{host}/x/y:z"
    )
    assert code == 1
    assert "no child of the index matches platform linux/riscv64" in err


def test_pull_oci_several_platforms(host: str, tmp_path: Path) -> None:
    out = tmp_path / "layout"
    code, _, _ = run(
        "pull", "--format", "oci", "--platform", "linux/arm64,linux/amd64",
        f"{host}/a/multi:v1", str(out),
    )  # fmt: skip
    assert code == 0
    index = layout.image_index_from_path(str(out))
    (entry,) = index.index_manifest().manifests
    inner = index.image_index(entry.digest)
    assert [str(c.platform) for c in inner.index_manifest().manifests] == [
        "linux/amd64",
        "linux/arm64",
    ]


def test_pull_tarball_several_platforms_is_refused(host: str, tmp_path: Path) -> None:
    code, _, err = run(
        "pull", "--platform", "linux/arm64,linux/amd64", f"{host}/a/multi:v1",
        str(tmp_path / "x.tar"),
    )  # fmt: skip
    assert code == 1
    assert err == (
        "Error: several platforms (linux/arm64, linux/amd64) need an OCI layout, but a "
        "tarball holds one image per reference: add --format oci, or pass a single --platform\n"
    )


def test_flatten_several_platforms(host: str) -> None:
    code, out, _ = run(
        "flatten", "--platform", "linux/amd64,linux/arm64", "-t", f"{host}/flat/m:v1",
        f"{host}/a/multi:v1",
    )  # fmt: skip
    assert code == 0
    assert out.startswith(f"{host}/flat/m@sha256:")
    assert child_platforms(f"{host}/flat/m:v1") == ["linux/amd64", "linux/arm64"]
    for child in manifest_json(f"{host}/flat/m:v1")["manifests"]:
        assert len(manifest_json(f"{host}/flat/m@{child['digest']}")["layers"]) == 1


# -- --referrers ------------------------------------------------------------------


def attach(address: str, repo: str, subject_ref: str, kind: str) -> str:
    """Push an artifact manifest whose subject is ``subject_ref``; return its digest."""
    subject = remote.get(name.parse_reference(subject_ref))
    artifact = mutate.subject(
        mutate.annotations(
            mutate.config_media_type(
                mutate.media_type(empty.image, types.OCI_MANIFEST_SCHEMA1),
                f"application/vnd.example.{kind}",
            ),
            {"kind": kind},
        ),
        Descriptor(media_type=subject.media_type, size=subject.size, digest=subject.digest),
    )
    digest = str(artifact.digest())
    remote.write(name.parse_reference(f"{address}/{repo}@{digest}"), artifact)
    return digest


def referrer_digests(address: str, repo: str, digest: str) -> set[str]:
    ref = name.new_digest(f"{address}/{repo}@{digest}")
    return {str(d.digest) for d in remote.referrers(ref).manifests or ()}


@pytest.mark.parametrize("api", [True, False], ids=["referrers-api", "tag-fallback"])
def test_copy_referrers_recursively(api: bool) -> None:
    for address in _serve(Registry(referrers=api)):
        remote.write(name.parse_reference(f"{address}/src/app:v1"), platform_image(2, "amd64"))
        subject = str(remote.get(name.parse_reference(f"{address}/src/app:v1")).digest)
        signature = attach(address, "src/app", f"{address}/src/app:v1", "signature")
        sbom = attach(address, "src/app", f"{address}/src/app:v1", "sbom")
        sbom_signature = attach(address, "src/app", f"{address}/src/app@{sbom}", "signature")
        code, out, err = run(
            "copy", "--referrers", f"{address}/src/app:v1", f"{address}/dst/app:v1"
        )
        assert (code, out) == (0, ""), err
        assert referrer_digests(address, "dst/app", subject) == {signature, sbom}
        assert referrer_digests(address, "dst/app", sbom) == {sbom_signature}
        tags = remote.list_tags(name.new_repository(f"{address}/dst/app"))
        assert ("sha256-" + subject.split(":")[1] in tags) is not api


def test_copy_without_referrers_leaves_them(host: str) -> None:
    attach(host, "a/img", f"{host}/a/img:v1", "signature")
    assert run("copy", f"{host}/a/img:v1", f"{host}/noref/img:v1")[0] == 0
    subject = str(remote.get(name.parse_reference(f"{host}/a/img:v1")).digest)
    assert referrer_digests(host, "noref/img", subject) == set()


# -- --all-platforms --------------------------------------------------------------


def test_mutate_all_platforms(host: str) -> None:
    code, out, err = run(
        "mutate", "--all-platforms", "-l", "team=x", "-a", "note=y", "-t", f"{host}/mut/all:v1",
        f"{host}/a/multi:v1",
    )  # fmt: skip
    assert code == 0, err
    digest = out.strip().split("@")[1]
    index = manifest_json(f"{host}/mut/all:v1")
    assert index["mediaType"] == types.DOCKER_MANIFEST_LIST
    assert child_platforms(f"{host}/mut/all@{digest}") == [f"linux/{a}" for a in ARCHES]
    for child, arch in zip(index["manifests"], ARCHES, strict=True):
        assert child["annotations"] == {"child": arch}
        image = remote.image(name.parse_reference(f"{host}/mut/all@{child['digest']}"))
        assert image.config_file().config.labels == {"team": "x"}
        assert image.config_file().architecture == arch
        assert image.manifest().annotations == {"note": "y"}


def _tar(path: Path, member: str, data: bytes) -> Path:
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_append_all_platforms(host: str, tmp_path: Path) -> None:
    layer = _tar(tmp_path / "l.tar", "hello.txt", b"hello\n")
    code, out, err = run(
        "append", "--all-platforms", "-b", f"{host}/a/multi:v1", "-f", str(layer),
        "-t", f"{host}/app/all:v1",
    )  # fmt: skip
    assert code == 0, err
    assert (
        out == f"{host}/app/all@{remote.get(name.parse_reference(f'{host}/app/all:v1')).digest}\n"
    )
    index = manifest_json(f"{host}/app/all:v1")
    assert [c["annotations"] for c in index["manifests"]] == [{"child": a} for a in ARCHES]
    layer_digests = set()
    for child in index["manifests"]:
        layers = manifest_json(f"{host}/app/all@{child['digest']}")["layers"]
        assert len(layers) == 3
        layer_digests.add(layers[-1]["digest"])
    assert len(layer_digests) == 1  # the same new layer on every child


def test_mutate_without_all_platforms_keeps_crane_behaviour(host: str) -> None:
    code, _, _ = run("mutate", "-l", "a=b", "-t", f"{host}/mut/one:v1", f"{host}/a/multi:v1")
    assert code == 0
    assert manifest_json(f"{host}/mut/one:v1")["mediaType"] == types.DOCKER_MANIFEST_SCHEMA2


# -- --compression ----------------------------------------------------------------


def layer_types(ref: str) -> list[str]:
    return [layer["mediaType"] for layer in manifest_json(ref)["layers"]]


def test_copy_compression_zstd_makes_docker_oci(host: str) -> None:
    code, _, err = run("copy", "--compression", "zstd", f"{host}/a/img:v1", f"{host}/z/img:v1")
    assert code == 0, err
    manifest = manifest_json(f"{host}/z/img:v1")
    assert manifest["mediaType"] == types.OCI_MANIFEST_SCHEMA1
    assert manifest["config"]["mediaType"] == types.OCI_CONFIG_JSON
    assert layer_types(f"{host}/z/img:v1") == [types.OCI_LAYER_ZSTD] * 2
    before = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    after = remote.image(name.parse_reference(f"{host}/z/img:v1"))
    assert after.raw_config_file() == before.raw_config_file()
    for old, new in zip(before.layers(), after.layers(), strict=True):
        with old.uncompressed() as a, new.uncompressed() as b:
            assert a.read() == b.read()
    # And back to gzip: Docker types are not restored, OCI gzip is used.
    code, _, _ = run("copy", "--compression", "gzip", f"{host}/z/img:v1", f"{host}/g/img:v1")
    assert code == 0
    assert layer_types(f"{host}/g/img:v1") == [types.OCI_LAYER] * 2


def test_copy_compression_is_deterministic(host: str) -> None:
    for repo in ("d1", "d2"):
        assert (
            run("copy", "--compression", "zstd", f"{host}/a/img:v1", f"{host}/{repo}/i:v1")[0] == 0
        )
    assert manifest_json(f"{host}/d1/i:v1") == manifest_json(f"{host}/d2/i:v1")


def test_copy_compression_of_an_index(host: str) -> None:
    code, _, _ = run("copy", "--compression", "zstd", f"{host}/a/multi:v1", f"{host}/z/multi:v1")
    assert code == 0
    index = manifest_json(f"{host}/z/multi:v1")
    assert index["mediaType"] == types.OCI_IMAGE_INDEX
    for child in index["manifests"]:
        assert layer_types(f"{host}/z/multi@{child['digest']}") == [types.OCI_LAYER_ZSTD] * 2


def test_append_and_mutate_compression(host: str, tmp_path: Path) -> None:
    layer = _tar(tmp_path / "l.tar", "a.txt", b"a\n")
    code, _, _ = run(
        "append", "--compression", "zstd", "-b", f"{host}/a/img:v1", "-f", str(layer),
        "-t", f"{host}/cz/app:v1",
    )  # fmt: skip
    assert code == 0
    assert layer_types(f"{host}/cz/app:v1") == [types.OCI_LAYER_ZSTD] * 3
    code, _, _ = run(
        "mutate", "--compression", "gzip", "-t", f"{host}/cz/mut:v1", f"{host}/cz/app:v1"
    )
    assert code == 0
    assert layer_types(f"{host}/cz/mut:v1") == [types.OCI_LAYER] * 3


def test_unknown_compression_is_refused(host: str) -> None:
    code, _, err = run("copy", "--compression", "lz4", f"{host}/a/img:v1", f"{host}/q/q:q")
    assert code == 1
    assert "unknown compression 'lz4'" in err


# -- local inputs -----------------------------------------------------------------


@pytest.fixture
def oci_layout(host: str, tmp_path: Path) -> Path:
    path = tmp_path / "layout"
    assert run("pull", "--format", "oci", f"{host}/a/multi:v1", str(path))[0] == 0
    return path


def test_local_layout_inputs(host: str, oci_layout: Path, tmp_path: Path) -> None:
    # As crane, index list shows the layout's own index.json: one entry, the index
    # pulled; its children are listed through the entry's blob, oci:DIR.
    code, out, _ = run("index", "list", str(oci_layout))
    assert code == 0
    assert [line.split()[1:] for line in out.splitlines()[1:]] == [
        ["application/vnd.docker.distribution.manifest.list.v2+json", "-"]
    ]
    code, out, _ = run("index", "list", f"oci:{oci_layout}")
    assert code == 0
    assert [line.split()[-1] for line in out.splitlines()[1:]] == [f"linux/{a}" for a in ARCHES]
    code, out, _ = run("--platform", "linux/arm64", "config", str(oci_layout))
    assert code == 0
    assert json.loads(out)["architecture"] == "arm64"
    tar_path = tmp_path / "fs.tar"
    assert run("export", str(oci_layout), str(tar_path))[0] == 0
    with tarfile.open(tar_path) as exported:
        assert exported.getnames()
    code, out, _ = run("mutate", "-l", "k=v", "-t", f"{host}/local/m:v1", str(oci_layout))
    assert (code, out.startswith(f"{host}/local/m@sha256:")) == (0, True)
    code, _, err = run("mutate", "-l", "k=v", str(oci_layout))
    assert code == 1
    assert "local image" in err
    code, out, _ = run("validate", "--tarball", str(oci_layout))
    assert out == f"PASS: {oci_layout}\n"


# -- tag --delete -----------------------------------------------------------------


def test_tag_delete_removes_only_the_tag(host: str) -> None:
    assert run("copy", f"{host}/a/img:v1", f"{host}/untag/img:keep")[0] == 0
    assert run("copy", f"{host}/a/img:v1", f"{host}/untag/img:drop")[0] == 0
    assert run("tag", "--delete", f"{host}/untag/img:drop") == (0, "", "")
    assert remote.list_tags(name.new_repository(f"{host}/untag/img")) == ["keep"]


def _refuse_tag_delete(app: Registry, code: str, status: str) -> Callable[..., Any]:
    """A registry that, like distribution, deletes manifests by digest only."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] == "DELETE" and "/manifests/" in path and ":" not in path:
            body = json.dumps({"errors": [{"code": code, "message": "no"}]}).encode()
            start_response(status, [("Content-Type", "application/json")])
            return [body]
        return app(environ, start_response)

    return wsgi


@pytest.mark.parametrize(
    ("code", "status"),
    [("DIGEST_INVALID", "400 Bad Request"), ("UNSUPPORTED", "405 Method Not Allowed")],
)
def test_tag_delete_where_unsupported(code: str, status: str) -> None:
    registry = Registry()
    for address in _serve(_refuse_tag_delete(registry, code, status)):
        remote.write(name.parse_reference(f"{address}/r/img:v1"), random.image(10, 1, seed=5))
        exit_code, out, err = run("tag", "--delete", f"{address}/r/img:v1")
        assert (exit_code, out) == (1, "")
        assert err.startswith(f"Error: registry {address} does not support deleting tags; ")
        assert remote.list_tags(name.new_repository(f"{address}/r/img")) == ["v1"]


def test_tag_delete_refuses_a_digest(host: str) -> None:
    digest = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    code, _, err = run("tag", "--delete", f"{host}/a/img@{digest}")
    assert code == 1
    assert "names a digest" in err
