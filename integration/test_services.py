"""The first integration test: our bytes in a real registry:2, read back by skopeo.

A layer (our TarWriter, our gzip), a config (`ConfigFile.to_json()`) and an OCI image
manifest (`Manifest.to_json()`) are pushed with plain `requests` (monolithic upload:
POST, then PUT with the digest), their digests computed with our `Hash`; skopeo, an
independent client, must then return the very same bytes under the very same digests.
"""

from __future__ import annotations

import io
import json
import pathlib
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

import pytest
import requests

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.compression import compress
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Manifest, RootFS


@dataclass(frozen=True)
class PushedImage:
    """What the test pushed: the reference and every byte, by digest."""

    reference: str  # host:port/repository:tag
    repository_url: str  # http://host:port/v2/repository
    manifest: bytes
    manifest_digest: Hash
    blobs: dict[Hash, bytes]
    layer_digest: Hash
    config_digest: Hash


def make_layer() -> tuple[bytes, bytes]:
    """A small gzipped tar layer, the same bytes every run: (compressed, uncompressed)."""
    raw = io.BytesIO()
    with TarWriter(raw) as tar:
        tar.add_file("hello.txt", b"hello from containerregistry\n")
    uncompressed = raw.getvalue()
    with compress(io.BytesIO(uncompressed)) as compressed:
        return compressed.read(), uncompressed


def descriptor(media_type: str, data: bytes) -> Descriptor:
    return Descriptor(media_type=media_type, size=len(data), digest=Hash.of(data))


def build_image() -> tuple[bytes, bytes, bytes]:
    """(manifest, config, layer) bytes of a one-layer linux/amd64 OCI image."""
    layer, uncompressed = make_layer()
    config = ConfigFile(
        architecture="amd64",
        os="linux",
        rootfs=RootFS(diff_ids=(Hash.of(uncompressed),)),
    ).to_json()
    manifest = Manifest(
        media_type=types.OCI_MANIFEST_SCHEMA1,
        config=descriptor(types.OCI_CONFIG_JSON, config),
        layers=(descriptor(types.OCI_LAYER, layer),),
    ).to_json()
    return manifest, config, layer


def upload_blob(session: requests.Session, repository_url: str, data: bytes) -> Hash:
    """Monolithic upload: POST opens the upload, one PUT with ?digest= completes it."""
    digest = Hash.of(data)
    started = session.post(f"{repository_url}/blobs/uploads/", timeout=30)
    assert started.status_code == 202, started.text
    location = urljoin(repository_url, started.headers["Location"])
    finished = session.put(
        location,
        params={"digest": str(digest)},
        data=data,
        headers={"Content-Type": "application/octet-stream"},
        timeout=30,
    )
    assert finished.status_code == 201, finished.text
    assert finished.headers["Docker-Content-Digest"] == str(digest)
    return digest


@pytest.fixture(scope="module")
def pushed(registry2_address: str) -> Iterator[PushedImage]:
    repository = f"containerregistry/services-{uuid.uuid4().hex[:12]}"
    repository_url = f"http://{registry2_address}/v2/{repository}"
    manifest, config, layer = build_image()
    with requests.Session() as session:
        layer_digest = upload_blob(session, repository_url, layer)
        config_digest = upload_blob(session, repository_url, config)
        response = session.put(
            f"{repository_url}/manifests/v1",
            data=manifest,
            headers={"Content-Type": types.OCI_MANIFEST_SCHEMA1},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        manifest_digest = Hash.of(manifest)
        assert response.headers["Docker-Content-Digest"] == str(manifest_digest)
        yield PushedImage(
            reference=f"{registry2_address}/{repository}:v1",
            repository_url=repository_url,
            manifest=manifest,
            manifest_digest=manifest_digest,
            blobs={layer_digest: layer, config_digest: config},
            layer_digest=layer_digest,
            config_digest=config_digest,
        )


def run_skopeo(skopeo: str, *args: str) -> bytes:
    result = subprocess.run([skopeo, *args], capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


def test_registry_serves_blobs_by_digest(pushed: PushedImage) -> None:
    for digest, data in pushed.blobs.items():
        response = requests.get(f"{pushed.repository_url}/blobs/{digest}", timeout=30)
        assert response.status_code == 200
        assert response.content == data
        assert response.headers["Docker-Content-Digest"] == str(digest)


@pytest.mark.parametrize("by", ["tag", "digest"])
def test_skopeo_reads_the_exact_manifest(skopeo: str, pushed: PushedImage, by: str) -> None:
    reference = pushed.reference
    if by == "digest":
        reference = f"{reference.rpartition(':')[0]}@{pushed.manifest_digest}"
    raw = run_skopeo(skopeo, "inspect", "--raw", "--tls-verify=false", f"docker://{reference}")
    assert raw == pushed.manifest
    assert Hash.of(raw) == pushed.manifest_digest


def test_skopeo_inspect_sees_digest_and_layers(skopeo: str, pushed: PushedImage) -> None:
    output = run_skopeo(skopeo, "inspect", "--tls-verify=false", f"docker://{pushed.reference}")
    inspected = json.loads(output)
    assert inspected["Digest"] == str(pushed.manifest_digest)
    assert inspected["Layers"] == [str(pushed.layer_digest)]
    assert (inspected["Os"], inspected["Architecture"]) == ("linux", "amd64")


def test_skopeo_copy_to_dir_keeps_bytes(
    skopeo: str, pushed: PushedImage, tmp_path: pathlib.Path
) -> None:
    target = tmp_path / "copy"
    run_skopeo(
        skopeo,
        "copy",
        "--src-tls-verify=false",
        f"docker://{pushed.reference}",
        f"dir:{target}",
    )
    assert (target / "manifest.json").read_bytes() == pushed.manifest
    for digest, data in pushed.blobs.items():
        copied = (target / digest.hex).read_bytes()
        assert copied == data
        assert Hash.of(copied) == digest
