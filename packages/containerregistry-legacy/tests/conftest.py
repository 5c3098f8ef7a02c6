"""Builders for in-memory images and a reader for the tarballs the tests write."""

from __future__ import annotations

import dataclasses
import io
import tarfile
from collections.abc import Sequence

import pytest

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.compression import Compression, compress
from containerregistry.tarball import layer_from_opener
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Layer, Manifest, RootFS


def tar_of(files: dict[str, bytes]) -> bytes:
    """An uncompressed tar holding ``files`` (Go's archive/tar bytes)."""
    out = io.BytesIO()
    with TarWriter(out) as writer:
        for name, data in files.items():
            writer.add_file(name, data)
    return out.getvalue()


def gzip_of(data: bytes) -> bytes:
    with compress(io.BytesIO(data), algorithm=Compression.GZIP) as stream:
        return stream.read()


def gzip_layer(files: dict[str, bytes]) -> Layer:
    blob = gzip_of(tar_of(files))
    return layer_from_opener(lambda: io.BytesIO(blob))


class MemoryImage:
    """A Docker v2 image made of layers and a config (its rootfs filled in)."""

    def __init__(
        self,
        layers: Sequence[Layer],
        config: ConfigFile | None = None,
        *,
        layer_media_types: Sequence[str] | None = None,
    ) -> None:
        self._layers = list(layers)
        base = config or ConfigFile(architecture="amd64", os="linux")
        config = dataclasses.replace(
            base, rootfs=RootFS(diff_ids=tuple(layer.diff_id() for layer in self._layers))
        )
        self._raw_config = config.to_json()
        media = list(layer_media_types or [layer.media_type() for layer in self._layers])
        self._manifest = Manifest(
            media_type=types.DOCKER_MANIFEST_SCHEMA2,
            config=Descriptor(
                media_type=types.DOCKER_CONFIG_JSON,
                size=len(self._raw_config),
                digest=Hash.of(self._raw_config),
            ),
            layers=tuple(
                Descriptor(media_type=kind, size=layer.size(), digest=layer.digest())
                for layer, kind in zip(self._layers, media, strict=True)
            ),
        )
        self._raw_manifest = self._manifest.to_json()

    def layers(self) -> list[Layer]:
        return list(self._layers)

    def media_type(self) -> str:
        return types.DOCKER_MANIFEST_SCHEMA2

    def size(self) -> int:
        return len(self._raw_manifest)

    def config_name(self) -> Hash:
        return Hash.of(self._raw_config)

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self._raw_config)

    def raw_config_file(self) -> bytes:
        return self._raw_config

    def digest(self) -> Hash:
        return Hash.of(self._raw_manifest)

    def manifest(self) -> Manifest:
        return self._manifest

    def raw_manifest(self) -> bytes:
        return self._raw_manifest

    def layer_by_digest(self, digest: Hash) -> Layer:
        return next(layer for layer in self._layers if layer.digest() == digest)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        return next(layer for layer in self._layers if layer.diff_id() == diff_id)


def read_tar(data: bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    """The entries of a tar and their data, in order."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            member = archive.extractfile(info) if info.isreg() else None
            out.append((info, member.read() if member else b""))
    return out


class Kit:
    """The builders above, as the ``kit`` fixture (importlib mode hides conftest)."""

    MemoryImage = MemoryImage
    tar_of = staticmethod(tar_of)
    gzip_of = staticmethod(gzip_of)
    gzip_layer = staticmethod(gzip_layer)
    read_tar = staticmethod(read_tar)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
