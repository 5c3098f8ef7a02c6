"""Our layouts against skopeo (oci: transport), umoci unpack and oci-image-tool validate."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import uuid
from pathlib import Path

from containerregistry import layout, match, types
from containerregistry.archive import TarWriter
from containerregistry.compression import compress
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Layer, Manifest, RootFS


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{command} failed: {result.stderr}"
    return result


class _Layer:
    def __init__(self, files: dict[str, bytes]) -> None:
        out = io.BytesIO()
        with TarWriter(out) as writer:
            for name, data in files.items():
                writer.add_file(name, data)
        self.tar = out.getvalue()
        with compress(io.BytesIO(self.tar)) as stream:
            self.blob = stream.read()

    def digest(self) -> Hash:
        return Hash.of(self.blob)

    def diff_id(self) -> Hash:
        return Hash.of(self.tar)

    def compressed(self) -> io.BytesIO:
        return io.BytesIO(self.blob)

    def uncompressed(self) -> io.BytesIO:
        return io.BytesIO(self.tar)

    def size(self) -> int:
        return len(self.blob)

    def media_type(self) -> str:
        return types.OCI_LAYER


class _Image:
    """A small OCI image (skopeo's oci: transport only finds OCI manifests by name)."""

    def __init__(self) -> None:
        self._layers = [
            _Layer({"hello.txt": b"hello from containerregistry\n"}),
            _Layer({"etc/motd": uuid.uuid4().hex.encode()}),
        ]
        self._config = ConfigFile(
            architecture="amd64",
            os="linux",
            rootfs=RootFS(diff_ids=tuple(la.diff_id() for la in self._layers)),
        ).to_json()
        self._manifest = Manifest(
            media_type=types.OCI_MANIFEST_SCHEMA1,
            config=Descriptor(
                media_type=types.OCI_CONFIG_JSON,
                size=len(self._config),
                digest=Hash.of(self._config),
            ),
            layers=tuple(
                Descriptor(media_type=types.OCI_LAYER, size=la.size(), digest=la.digest())
                for la in self._layers
            ),
        )
        self._raw = self._manifest.to_json()

    def layers(self) -> list[Layer]:
        return list(self._layers)

    def media_type(self) -> str:
        return types.OCI_MANIFEST_SCHEMA1

    def size(self) -> int:
        return len(self._raw)

    def config_name(self) -> Hash:
        return Hash.of(self._config)

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self._config)

    def raw_config_file(self) -> bytes:
        return self._config

    def digest(self) -> Hash:
        return Hash.of(self._raw)

    def manifest(self) -> Manifest:
        return self._manifest

    def raw_manifest(self) -> bytes:
        return self._raw

    def layer_by_digest(self, digest: Hash) -> Layer:
        return next(la for la in self._layers if la.digest() == digest)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        return next(la for la in self._layers if la.diff_id() == diff_id)


def _our_layout(directory: Path) -> tuple[layout.Layout, _Image]:
    directory.mkdir()
    (directory / "oci-layout").write_bytes(b'{\n    "imageLayoutVersion": "1.0.0"\n}')
    (directory / "index.json").write_bytes(b'{"schemaVersion":2,"manifests":[]}')
    path = layout.from_path(directory)
    image = _Image()
    path.append_image(image, annotations={match.REF_NAME_ANNOTATION: "v1"})
    return path, image


def test_skopeo_reads_our_layout(skopeo: str, tmp_path: Path) -> None:
    _, image = _our_layout(tmp_path / "ours")
    inspected = json.loads(_run(skopeo, "inspect", f"oci:{tmp_path / 'ours'}:v1").stdout)
    assert inspected["Digest"] == str(image.digest())
    raw = _run(skopeo, "inspect", "--raw", f"oci:{tmp_path / 'ours'}:v1").stdout
    assert raw.encode() == image.raw_manifest()
    # skopeo copies it to a docker-archive tarball too.
    _run(skopeo, "copy", f"oci:{tmp_path / 'ours'}:v1", f"docker-archive:{tmp_path / 'a.tar'}")


def test_we_read_skopeo_layout(skopeo: str, tmp_path: Path) -> None:
    _, image = _our_layout(tmp_path / "ours")
    _run(skopeo, "copy", f"oci:{tmp_path / 'ours'}:v1", f"oci:{tmp_path / 'theirs'}:copy")
    index = layout.image_index_from_path(tmp_path / "theirs")
    (descriptor,) = [d for d in index.index_manifest().manifests or () if match.name("copy")(d)]
    copied = index.image(descriptor.digest)
    assert copied.config_name() == image.config_name()
    for ours, theirs in zip(copied.layers(), image.layers(), strict=True):
        with ours.uncompressed() as stream:
            assert stream.read() == theirs.uncompressed().read()


def test_umoci_unpacks_our_layout(umoci: str, tmp_path: Path) -> None:
    _our_layout(tmp_path / "ours")
    bundle = tmp_path / "bundle"
    _run(umoci, "unpack", "--rootless", "--image", f"{tmp_path / 'ours'}:v1", str(bundle))
    assert (bundle / "rootfs" / "hello.txt").read_bytes() == b"hello from containerregistry\n"


def test_oci_image_tool_validates_our_layout(oci_image_tool: str, tmp_path: Path) -> None:
    _our_layout(tmp_path / "ours")
    result = _run(oci_image_tool, "validate", "--type", "image", "--ref", "name=v1",
                  str(tmp_path / "ours"))  # fmt: skip
    assert "Validation succeeded" in result.stdout + result.stderr


def test_blobs_are_named_by_their_digest(tmp_path: Path) -> None:
    path, _ = _our_layout(tmp_path / "ours")
    for blob in (tmp_path / "ours" / "blobs" / "sha256").iterdir():
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
    assert path.garbage_collect() == []
