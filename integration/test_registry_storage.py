"""One directory, two registries: what `registry:2` writes we serve, and the reverse.

Each test starts its own `registry:2` container (the image `tools/services up`
builds) on a free loopback port with a bind-mounted temporary directory, and stops
only that container. Our registry runs as users run it, `crane registry serve
--disk DIR`. Everything is checked with plain HTTP requests: manifests and blobs
byte for byte, digests, media types, tags, indexes and deletions.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_containerregistry import RegistryProcessFactory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_http import call, free_port

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
LABEL = "io.containerregistry.services=1"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _wait(address: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if call(address, "GET", "/v2/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"no registry answered on {address} within 60 s")


class Registry2:
    """Start and stop private registry:2 containers on bind-mounted directories."""

    def __init__(self, docker: str) -> None:
        self.docker = docker
        self.names: list[str] = []

    def start(self, directory: Path) -> str:
        address = f"127.0.0.1:{free_port()}"
        name = f"cr-test-registry2-{secrets.token_hex(4)}"
        subprocess.run(
            [
                self.docker,
                "run",
                "-d",
                "--name",
                name,
                "--network",
                "host",
                "--label",
                LABEL,
                "-e",
                f"REGISTRY_HTTP_ADDR={address}",
                "-e",
                "REGISTRY_STORAGE_DELETE_ENABLED=true",
                "-v",
                f"{directory}:/var/lib/registry",
                "registry:2",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.names.append(name)
        _wait(address)
        return address

    def stop(self) -> None:
        for name in self.names:
            subprocess.run(
                [self.docker, "rm", "-f", name], capture_output=True, timeout=120, check=False
            )
        self.names.clear()


@pytest.fixture
def registry2(docker_cli: str, registry2_address: str) -> Iterator[Registry2]:
    """A starter of private registry:2 containers (the shared one is never touched)."""
    starter = Registry2(docker_cli)
    yield starter
    starter.stop()


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    """The directory both registries serve, one after the other."""
    path = tmp_path / "registry"
    path.mkdir()
    return path


def _push_blob(address: str, repository: str, data: bytes, *, chunked: bool = False) -> str:
    status, headers, _ = call(address, "POST", f"/v2/{repository}/blobs/uploads/")
    assert status == 202
    location = headers["location"]
    if chunked:
        middle = len(data) // 2
        for first, part in ((0, data[:middle]), (middle, data[middle:])):
            content_range = f"{first}-{first + len(part) - 1}"
            status, headers, _ = call(
                address,
                "PATCH",
                location,
                part,
                {"Content-Range": content_range, "Content-Type": "application/octet-stream"},
            )
            assert status == 202, (address, status)
            location = headers["location"]
        data_left = b""
    else:
        data_left = data
    separator = "&" if "?" in location else "?"
    status, _, body = call(
        address, "PUT", f"{location}{separator}digest={_digest(data)}", data_left
    )
    assert status == 201, (address, status, body)
    return _digest(data)


def _push_image(address: str, repository: str, tag: str, text: str) -> bytes:
    config = json.dumps({"architecture": "amd64", "os": "linux", "note": text}).encode()
    layer = (text.encode() + b"\n") * 5000
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG,
            "digest": _push_blob(address, repository, config),
            "size": len(config),
        },
        "layers": [
            {
                "mediaType": OCI_LAYER,
                "digest": _push_blob(address, repository, layer, chunked=True),
                "size": len(layer),
            }
        ],
    }
    manifest = json.dumps(document).encode()
    status, _, body = call(
        address,
        "PUT",
        f"/v2/{repository}/manifests/{tag}",
        manifest,
        {"Content-Type": OCI_MANIFEST},
    )
    assert status == 201, (address, status, body)
    return manifest


def _push_index(address: str, repository: str, tag: str, children: list[bytes]) -> bytes:
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [
            {
                "mediaType": OCI_MANIFEST,
                "digest": _digest(child),
                "size": len(child),
                "platform": {"architecture": arch, "os": "linux"},
            }
            for child, arch in zip(children, ("amd64", "arm64"), strict=False)
        ],
    }
    index = json.dumps(document).encode()
    status, _, body = call(
        address, "PUT", f"/v2/{repository}/manifests/{tag}", index, {"Content-Type": OCI_INDEX}
    )
    assert status == 201, (address, status, body)
    return index


def _manifest(address: str, repository: str, reference: str) -> tuple[int, str, bytes]:
    accept = f"{OCI_MANIFEST}, {OCI_INDEX}"
    status, headers, body = call(
        address, "GET", f"/v2/{repository}/manifests/{reference}", headers={"Accept": accept}
    )
    return status, headers.get("content-type", ""), body


def _tags(address: str, repository: str) -> list[str]:
    status, _, body = call(address, "GET", f"/v2/{repository}/tags/list")
    assert status == 200, (address, repository, status)
    return sorted(json.loads(body)["tags"] or [])


def _write_history(address: str) -> dict[str, Any]:
    """Push two images, an index of both and a second repository; delete a tag's
    manifest and another repository's manifest. Return what the reader must see."""
    one = _push_image(address, "interop/app", "v1", "one")
    two = _push_image(address, "interop/app", "v2", "two")
    index = _push_index(address, "interop/app", "multi", [one, two])
    gone = _push_image(address, "interop/gone", "v1", "gone")
    doomed = _push_image(address, "interop/app", "doomed", "doomed")
    for repository, manifest in (("interop/gone", gone), ("interop/app", doomed)):
        status, _, _ = call(address, "DELETE", f"/v2/{repository}/manifests/{_digest(manifest)}")
        assert status == 202
    return {"one": one, "two": two, "index": index, "gone": gone, "doomed": doomed}


def _check_history(
    address: str, written: dict[str, Any], tags: tuple[str, ...] = ("multi", "v1", "v2")
) -> None:
    for tag, name, media_type in (
        ("v1", "one", OCI_MANIFEST),
        ("v2", "two", OCI_MANIFEST),
        ("multi", "index", OCI_INDEX),
    ):
        status, content_type, body = _manifest(address, "interop/app", tag)
        assert (status, content_type, body) == (200, media_type, written[name]), (address, tag)
        by_digest = _manifest(address, "interop/app", _digest(written[name]))
        assert by_digest[2] == written[name]
    for name in ("one", "two"):
        document = json.loads(written[name])
        for descriptor in (document["config"], *document["layers"]):
            status, _headers, body = call(
                address, "GET", f"/v2/interop/app/blobs/{descriptor['digest']}"
            )
            assert status == 200
            assert _digest(body) == descriptor["digest"]
            assert len(body) == descriptor["size"]
    assert _tags(address, "interop/app") == sorted(tags)
    assert _manifest(address, "interop/app", "doomed")[0] == 404
    assert _manifest(address, "interop/app", _digest(written["doomed"]))[0] == 404
    assert _manifest(address, "interop/gone", _digest(written["gone"]))[0] == 404
    status, _, body = call(address, "GET", "/v2/_catalog")
    assert status == 200
    assert "interop/app" in json.loads(body)["repositories"]


def test_registry2_serves_the_directory_we_wrote(
    directory: Path, registry_process: RegistryProcessFactory, registry2: Registry2
) -> None:
    ours = registry_process("--disk", str(directory))
    address = ours.host
    written = _write_history(address)
    _check_history(address, written)  # the writer itself agrees
    # A tag deleted through our API (Distribution 2.8 cannot delete tags by name).
    _push_image(address, "interop/app", "temporary", "one")
    assert call(address, "DELETE", "/v2/interop/app/manifests/temporary")[0] == 202
    ours.stop()
    theirs = registry2.start(directory)
    _check_history(theirs, written)
    assert _manifest(theirs, "interop/app", "temporary")[0] == 404


def test_we_serve_the_directory_registry2_wrote(
    directory: Path, registry_process: RegistryProcessFactory, registry2: Registry2
) -> None:
    theirs = registry2.start(directory)
    written = _write_history(theirs)
    _check_history(theirs, written)
    registry2.stop()
    ours = registry_process("--disk", str(directory))
    address = ours.host
    _check_history(address, written)
    # And back: what we add there, registry:2 serves too.
    three = _push_image(address, "interop/app", "v3", "three")
    ours.stop()
    theirs = registry2.start(directory)
    assert _manifest(theirs, "interop/app", "v3")[2] == three
    _check_history(theirs, written, ("multi", "v1", "v2", "v3"))


def test_a_blob_deleted_by_registry2_is_gone_for_us_too(
    directory: Path, registry_process: RegistryProcessFactory, registry2: Registry2
) -> None:
    theirs = registry2.start(directory)
    layer = _push_blob(theirs, "interop/blobs", b"short-lived " * 100)
    kept = _push_blob(theirs, "interop/blobs", b"kept " * 100)
    assert call(theirs, "DELETE", f"/v2/interop/blobs/blobs/{layer}")[0] == 202
    registry2.stop()
    address = registry_process("--disk", str(directory)).host
    assert call(address, "HEAD", f"/v2/interop/blobs/blobs/{layer}")[0] == 404
    assert call(address, "GET", f"/v2/interop/blobs/blobs/{kept}")[2] == b"kept " * 100
    assert os.listdir(directory) == ["docker"]


def test_gc_on_a_directory_registry2_wrote(
    directory: Path, registry_process: RegistryProcessFactory, registry2: Registry2
) -> None:
    theirs = registry2.start(directory)
    written = _write_history(theirs)
    registry2.stop()
    crane = [sys.executable, "-m", "containerregistry.crane.cli", "registry", "gc"]
    dry = subprocess.run(
        [*crane, str(directory), "--dry-run"], capture_output=True, text=True, timeout=120
    )
    assert dry.returncode == 0, dry.stderr
    doomed = json.loads(written["doomed"])["layers"][0]["digest"]
    assert f"delete blob {doomed}" in dry.stdout
    done = subprocess.run([*crane, str(directory)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == dry.stdout
    again = subprocess.run([*crane, str(directory)], capture_output=True, text=True, timeout=120)
    assert again.stdout == ""
    theirs = registry2.start(directory)
    _check_history(theirs, written)
    registry2.stop()
    _check_history(registry_process("--disk", str(directory)).host, written)
