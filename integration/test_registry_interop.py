"""Real clients against the embedded registry: the Docker daemon, skopeo, and registry:2.

Our registry runs as users run it, ``crane registry serve --address 127.0.0.1:0``
in a subprocess; the services come from integration/conftest.py.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import io
import json
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from typing import Any

import pytest
from pytest_containerregistry import start_registry_process

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
PYTHON_CRANE = [sys.executable, "-m", "containerregistry.crane.cli"]


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    """``127.0.0.1:PORT`` of a ``crane registry serve`` subprocess."""
    with start_registry_process() as served:
        yield served.host


def _image(text: str) -> tuple[bytes, bytes, bytes]:
    """A one-layer Docker schema 2 image: (manifest, config, layer), deterministic."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        data = text.encode()
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(data))
    layer = gzip.compress(raw.getvalue(), mtime=0)
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {"Cmd": ["/hello.txt"]},
            "rootfs": {"type": "layers", "diff_ids": [_digest(raw.getvalue())]},
        }
    ).encode()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST,
            "config": {"mediaType": DOCKER_CONFIG, "size": len(config), "digest": _digest(config)},
            "layers": [{"mediaType": DOCKER_LAYER, "size": len(layer), "digest": _digest(layer)}],
        }
    ).encode()
    return manifest, config, layer


def _push(address: str, repository: str, tag: str, text: str) -> str:
    """Push an image with plain HTTP requests; return its manifest digest."""
    manifest, config, layer = _image(text)
    conn = http.client.HTTPConnection(address, timeout=30)
    try:
        for blob in (config, layer):
            conn.request("POST", f"/v2/{repository}/blobs/uploads/")
            response = conn.getresponse()
            response.read()
            assert response.status == 202
            location = response.getheader("Location", "")
            separator = "&" if "?" in location else "?"
            conn.request("PUT", f"{location}{separator}digest={_digest(blob)}", body=blob)
            response = conn.getresponse()
            response.read()
            assert response.status == 201
        conn.request(
            "PUT",
            f"/v2/{repository}/manifests/{tag}",
            body=manifest,
            headers={"Content-Type": DOCKER_MANIFEST},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 201
    finally:
        conn.close()
    return _digest(manifest)


def _head(address: str, repository: str, reference: str) -> str:
    conn = http.client.HTTPConnection(address, timeout=30)
    try:
        conn.request(
            "HEAD",
            f"/v2/{repository}/manifests/{reference}",
            headers={"Accept": DOCKER_MANIFEST},
        )
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (address, repository, reference, response.status)
        return str(response.getheader("Docker-Content-Digest"))
    finally:
        conn.close()


def _run(*argv: str) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(argv)} failed: {done.stderr.strip()[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def policy(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A containers policy that accepts anything (the test machine may have none)."""
    path = tmp_path_factory.mktemp("policy") / "policy.json"
    path.write_text(json.dumps({"default": [{"type": "insecureAcceptAnything"}]}))
    return str(path)


def _skopeo(skopeo: str, policy: str, *args: str) -> str:
    return _run(skopeo, "--policy", policy, *args)


# -- the Docker daemon ---------------------------------------------------------------------


def test_docker_push_and_pull(docker_cli: str, registry: str, tmp_path: Any) -> None:
    rootfs = io.BytesIO()
    with tarfile.open(fileobj=rootfs, mode="w") as tar:
        data = b"pushed by the docker daemon\n"
        info = tarfile.TarInfo("greeting.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    archive = tmp_path / "rootfs.tar"
    archive.write_bytes(rootfs.getvalue())
    reference = f"{registry}/interop/docker:v1"
    image_id = _run(docker_cli, "import", str(archive), reference).strip()
    try:
        _run(docker_cli, "push", reference)
        # The config's digest is the image ID: our registry kept the bytes exactly.
        conn = http.client.HTTPConnection(registry, timeout=30)
        conn.request("GET", "/v2/interop/docker/manifests/v1", headers={"Accept": DOCKER_MANIFEST})
        response = conn.getresponse()
        manifest = json.loads(response.read())
        conn.close()
        assert manifest["config"]["digest"] == image_id
        _run(docker_cli, "rmi", reference)
        _run(docker_cli, "pull", reference)
        pulled = _run(docker_cli, "image", "inspect", "--format", "{{.Id}}", reference).strip()
        assert pulled == image_id
    finally:
        subprocess.run([docker_cli, "rmi", "-f", reference], capture_output=True, check=False)


# -- skopeo --------------------------------------------------------------------------------


def test_skopeo_copies_out_and_in_and_lists_tags(
    skopeo: str, policy: str, registry: str, tmp_path: Any
) -> None:
    digest = _push(registry, "interop/skopeo", "v1", "for skopeo")
    layout = tmp_path / "layout"
    _skopeo(
        skopeo,
        policy,
        "copy",
        "--src-tls-verify=false",
        f"docker://{registry}/interop/skopeo:v1",
        f"dir:{layout}",
    )
    assert _digest((layout / "manifest.json").read_bytes()) == digest
    _skopeo(
        skopeo,
        policy,
        "copy",
        "--dest-tls-verify=false",
        f"dir:{layout}",
        f"docker://{registry}/interop/skopeo:v2",
    )
    assert _head(registry, "interop/skopeo", "v2") == digest
    listed = json.loads(
        _skopeo(
            skopeo,
            policy,
            "list-tags",
            "--tls-verify=false",
            f"docker://{registry}/interop/skopeo",
        )
    )
    assert listed["Tags"] == ["v1", "v2"]
    raw = _skopeo(
        skopeo,
        policy,
        "inspect",
        "--raw",
        "--tls-verify=false",
        f"docker://{registry}/interop/skopeo:v2",
    )
    assert _digest(raw.encode()) == digest


# -- registry:2 as the other side ---------------------------------------------------------


@pytest.mark.parametrize("direction", ["ours-to-registry2", "registry2-to-ours"])
def test_copy_between_registry2_and_ours(
    skopeo: str, policy: str, registry: str, registry2_address: str, direction: str
) -> None:
    source, destination = registry, registry2_address
    if direction == "registry2-to-ours":
        source, destination = registry2_address, registry
    repository = f"interop/{direction}"
    digest = _push(source, repository, "v1", f"copied {direction}")
    _skopeo(
        skopeo,
        policy,
        "copy",
        "--src-tls-verify=false",
        "--dest-tls-verify=false",
        f"docker://{source}/{repository}:v1",
        f"docker://{destination}/{repository}:copied",
    )
    assert _head(destination, repository, "copied") == digest
    assert _head(source, repository, "v1") == digest
