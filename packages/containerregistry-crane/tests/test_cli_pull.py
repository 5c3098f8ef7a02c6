"""``crane pull`` (tarball, legacy, oci; cache; several sources) and ``crane push``."""

from __future__ import annotations

import json
import os
import stat
import tarfile

import pytest
from crane_testkit import run

from containerregistry import name, remote
from containerregistry.registry import Registry, make_server
from containerregistry.transport import RegistryError


def test_pull_tarball_several_sources(host: str, tmp_path: object) -> None:
    from containerregistry import tarball

    path = f"{tmp_path}/two.tar"
    digest = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    code, out, _ = run("pull", f"{host}/a/img:v1", f"{host}/a/img@{digest}", path)
    assert (code, out) == (0, b"")
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert sorted(manifest[0]["RepoTags"]) == [f"{host}/a/img:i-was-a-digest", f"{host}/a/img:v1"]
    assert tarball.image_from_path(path).digest() == digest


def test_pull_oci_index_then_push_it(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/layout"
    code, out, _ = run("pull", "--format", "oci", "--annotate-ref", f"{host}/a/idx:v1", path)
    assert (code, out) == (0, b"")
    with open(os.path.join(path, "index.json"), "rb") as handle:
        entries = json.load(handle)["manifests"]
    index_digest = remote.get(name.parse_reference(f"{host}/a/idx:v1")).digest
    assert [e["digest"] for e in entries] == [str(index_digest)]
    assert entries[0]["annotations"] == {"org.opencontainers.image.ref.name": f"{host}/a/idx:v1"}
    # Pulling again does not duplicate the entry (crane's #1807).
    assert run("pull", "--format", "oci", "--annotate-ref", f"{host}/a/idx:v1", path)[0] == 0
    with open(os.path.join(path, "index.json"), "rb") as handle:
        assert len(json.load(handle)["manifests"]) == 1
    refs = f"{tmp_path}/refs"
    code, out, _ = run("push", "--image-refs", refs, path, f"{host}/pushed/idx:v1")
    assert (code, out) == (0, f"{host}/pushed/idx@{index_digest}\n".encode())
    with open(refs, "rb") as handle:
        assert handle.read() == f"{host}/pushed/idx@{index_digest}".encode()
    assert stat.S_IMODE(os.stat(refs).st_mode) == 0o600


def test_push_tarball(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/one.tar"
    assert run("pull", f"{host}/a/img:v1", path)[0] == 0
    digest = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    code, out, err = run("push", path, f"{host}/pushed/img:v1")
    assert (code, out) == (0, f"{host}/pushed/img@{digest}\n".encode())
    # stderr carries crane's progress lines, the manifest's last.
    assert (
        err.splitlines()[-1]
        .split(" ", 2)[2]
        .startswith(f"{host}/pushed/img:v1: digest: {digest} size: ")
    )


def test_push_layout_with_several_entries_needs_index(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/layout"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", f"{host}/a/idx:v1", path)[0] == 0
    code, out, err = run("push", path, f"{host}/pushed/many:v1")
    assert (code, out, err) == (1, b"", "Error: layout contains 2 entries, consider --index\n")
    code, out, _ = run("push", "--index", path, f"{host}/pushed/many:v1")
    assert code == 0
    assert out.startswith(f"{host}/pushed/many@sha256:".encode())


def test_pull_with_cache(host: str, tmp_path: object) -> None:
    cache = f"{tmp_path}/cache"
    code, _, _ = run("pull", "-c", cache, f"{host}/a/img:v1", f"{tmp_path}/c.tar")
    assert code == 0
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    assert sorted(os.listdir(cache)) == sorted(str(d.digest) for d in image.manifest().layers)
    assert run("pull", "--cache_path", cache, f"{host}/a/img:v1", f"{tmp_path}/d.tar")[0] == 0
    with open(f"{tmp_path}/c.tar", "rb") as a, open(f"{tmp_path}/d.tar", "rb") as b:
        assert a.read() == b.read()


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        pytest.param(["--format", "zip", "x", "y"], "unexpected --format", id="format"),
        pytest.param(["only-one"], "requires at least 2 arg(s)", id="one-arg"),
    ],
)
def test_pull_usage_errors(argv: list[str], error: str) -> None:
    code, out, err = run("pull", *argv)
    assert code == 1
    assert out == b""
    assert error in err
    assert err.startswith("Error: ")


def test_pull_legacy(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/l.tar"
    assert run("pull", "--format", "legacy", f"{host}/a/img:v1", f"{host}/a/idx:v1", path) == (
        0,
        b"",
        "",
    )
    with tarfile.open(path) as archive:
        repositories = json.load(archive.extractfile("repositories"))  # type: ignore[arg-type]
    assert set(repositories) == {f"{host}/a/img", f"{host}/a/idx"}


def test_push_missing_path(host: str, tmp_path: object) -> None:
    code, _, err = run("push", f"{tmp_path}/absent.tar", f"{host}/x/y:1")
    assert code == 1
    assert err.startswith("Error: ")
    assert "absent.tar" in err


def _flip_a_byte_of_a_layer(path: str) -> str:
    """Change one byte in the middle of the tarball's first ``<hex>.tar.gz`` entry; return
    the entry's name."""
    with tarfile.open(path) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(".tar.gz"))
    with open(path, "r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return member.name


def test_push_tarball_whose_layer_is_not_what_its_name_says(host: str, tmp_path: object) -> None:
    from containerregistry import tarball

    path = f"{tmp_path}/one.tar"
    assert run("pull", f"{host}/a/img:v1", path)[0] == 0
    digest = remote.get(name.parse_reference(f"{host}/a/img:v1")).digest
    entry = _flip_a_byte_of_a_layer(path)
    # The manifest is made from the entry names, without reading the layers...
    assert tarball.image_from_path(path).digest() == digest
    # ...and the bytes are checked as they are pushed (to a registry without them):
    # nothing is tagged.
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        target = f"127.0.0.1:{server.port}/pushed/tampered:v1"
        code, out, err = run("push", path, target)
        assert (code, out) == (1, b"")
        line = err.splitlines()[-1]
        assert line.startswith("Error: ")
        assert f"layer entry '{entry}' holds content with digest sha256:" in line
        assert f"not the sha256:{entry.removesuffix('.tar.gz')} its name says" in line
        with pytest.raises(RegistryError, match="MANIFEST_UNKNOWN") as missing:
            remote.head(name.parse_reference(target))
        assert missing.value.status == 404
    finally:
        server.stop()
