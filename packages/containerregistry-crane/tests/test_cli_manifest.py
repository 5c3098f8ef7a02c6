"""``crane manifest``, ``config`` and ``blob``: raw bytes on stdout, no trailing newline."""

from __future__ import annotations

import hashlib

from crane_testkit import run

from containerregistry import name, remote


def test_manifest_is_served_bytes(host: str) -> None:
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).raw_manifest()
    assert run("manifest", f"{host}/a/img:v1") == (0, want, "")


def test_manifest_of_an_index_and_of_its_child(host: str) -> None:
    index = remote.index(name.parse_reference(f"{host}/a/plat:v1"))
    assert run("manifest", f"{host}/a/plat:v1")[1] == index.raw_manifest()
    child = index.index_manifest().manifests[1]
    platform = f"{child.platform.os}/{child.platform.architecture}"
    code, out, _ = run("--platform", platform, "manifest", f"{host}/a/plat:v1")
    assert (code, out) == (0, index.image(child.digest).raw_manifest())


def test_config_is_raw_bytes(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    code, out, _ = run("config", f"{host}/a/img:v1")
    assert (code, out) == (0, image.raw_config_file())
    assert not out.endswith(b"\n")


def test_blob_writes_the_verified_blob(host: str) -> None:
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    layer = image.manifest().layers[0]
    code, out, _ = run("blob", f"{host}/a/img@{layer.digest}")
    assert code == 0
    assert len(out) == layer.size
    assert f"sha256:{hashlib.sha256(out).hexdigest()}" == str(layer.digest)


def test_missing_blob_fails(host: str) -> None:
    code, out, err = run("blob", f"{host}/a/img@sha256:{'0' * 64}")
    assert code == 1
    assert out == b""
    assert err.startswith("Error: ")


def test_manifest_of_a_local_layout(host: str, tmp_path: object) -> None:
    path = f"{tmp_path}/layout"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", path)[0] == 0
    want = remote.get(name.parse_reference(f"{host}/a/img:v1")).raw_manifest()
    assert run("manifest", path) == (0, want, "")
