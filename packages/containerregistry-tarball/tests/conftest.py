"""Builders for test tarballs and in-memory images."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Sequence

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


def zstd_of(data: bytes) -> bytes:
    with compress(io.BytesIO(data), algorithm=Compression.ZSTD) as stream:
        return stream.read()


def opener_of(data: bytes) -> Callable[[], io.BytesIO]:
    return lambda: io.BytesIO(data)


class MemoryImage:
    """A Docker v2 image made of layers and a config, computed once."""

    def __init__(self, layers: Sequence[Layer], *, architecture: str = "amd64") -> None:
        self._layers = list(layers)
        config = ConfigFile(
            architecture=architecture,
            os="linux",
            rootfs=RootFS(diff_ids=tuple(layer.diff_id() for layer in self._layers)),
        )
        self._raw_config = config.to_json()
        self._manifest = Manifest(
            media_type=types.DOCKER_MANIFEST_SCHEMA2,
            config=Descriptor(
                media_type=types.DOCKER_CONFIG_JSON,
                size=len(self._raw_config),
                digest=Hash.of(self._raw_config),
            ),
            layers=tuple(
                getattr(
                    layer,
                    "descriptor",
                    lambda layer=layer: Descriptor(
                        media_type=layer.media_type(), size=layer.size(), digest=layer.digest()
                    ),
                )()
                for layer in self._layers
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


def make_image(*contents: dict[str, bytes], architecture: str = "amd64") -> MemoryImage:
    """An image with one gzip layer per ``contents`` mapping."""
    layers = [layer_from_opener(opener_of(gzip_of(tar_of(files)))) for files in contents]
    return MemoryImage(layers, architecture=architecture)


def read_tar(data: bytes) -> list[tuple[tarfile.TarInfo, bytes]]:
    """The entries of a tar and their data, in order."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for info in archive:
            member = archive.extractfile(info) if info.isreg() else None
            out.append((info, member.read() if member else b""))
    return out


class Kit:
    """The builders above, handed to tests as the ``kit`` fixture (importlib mode
    does not let test modules import conftest)."""

    MemoryImage = MemoryImage
    tar_of = staticmethod(tar_of)
    gzip_of = staticmethod(gzip_of)
    zstd_of = staticmethod(zstd_of)
    opener_of = staticmethod(opener_of)
    make_image = staticmethod(make_image)
    read_tar = staticmethod(read_tar)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit


@pytest.fixture
def image_one() -> MemoryImage:
    return make_image({"a.txt": b"alpha"}, {"b.txt": b"bravo"})
