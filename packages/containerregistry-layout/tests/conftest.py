"""In-memory images and indexes for the layout tests (importlib mode: use the ``kit`` fixture)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import pytest

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.compression import compress
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    Image,
    ImageIndex,
    IndexManifest,
    Layer,
    Manifest,
    Platform,
    RootFS,
)


class GzipLayer:
    """A layer made of a one-file tar, gzipped."""

    def __init__(self, name: str, data: bytes) -> None:
        out = io.BytesIO()
        with TarWriter(out) as writer:
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


class MemoryImage:
    """An OCI image of the given layers."""

    def __init__(self, layers: Sequence[Layer], *, architecture: str = "amd64") -> None:
        self._layers = list(layers)
        self._raw_config = ConfigFile(
            architecture=architecture,
            os="linux",
            rootfs=RootFS(diff_ids=tuple(layer.diff_id() for layer in self._layers)),
        ).to_json()
        self._manifest = Manifest(
            media_type=types.OCI_MANIFEST_SCHEMA1,
            config=Descriptor(
                media_type=types.OCI_CONFIG_JSON,
                size=len(self._raw_config),
                digest=Hash.of(self._raw_config),
            ),
            layers=tuple(
                Descriptor(media_type=layer.media_type(), size=layer.size(), digest=layer.digest())
                for layer in self._layers
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
        return Hash.of(self._raw_config)

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self._raw_config)

    def raw_config_file(self) -> bytes:
        return self._raw_config

    def digest(self) -> Hash:
        return Hash.of(self._raw)

    def manifest(self) -> Manifest:
        return self._manifest

    def raw_manifest(self) -> bytes:
        return self._raw

    def layer_by_digest(self, digest: Hash) -> Layer:
        return next(layer for layer in self._layers if layer.digest() == digest)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        return next(layer for layer in self._layers if layer.diff_id() == diff_id)


class MemoryIndex:
    """An OCI index of images and indexes (with platforms for images)."""

    def __init__(self, children: Sequence[Image | ImageIndex]) -> None:
        self._children = {child.digest(): child for child in children}
        descriptors = []
        for child in children:
            platform = None
            if isinstance(child, MemoryImage):
                platform = Platform(os="linux", architecture=child.config_file().architecture)
            descriptors.append(
                Descriptor(
                    media_type=child.media_type(),
                    size=child.size(),
                    digest=child.digest(),
                    platform=platform,
                )
            )
        self._index = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=tuple(descriptors))
        self._raw = self._index.to_json()

    def media_type(self) -> str:
        return types.OCI_IMAGE_INDEX

    def digest(self) -> Hash:
        return Hash.of(self._raw)

    def size(self) -> int:
        return len(self._raw)

    def index_manifest(self) -> IndexManifest:
        return self._index

    def raw_manifest(self) -> bytes:
        return self._raw

    def image(self, digest: Hash) -> Any:
        return self._children[digest]

    def image_index(self, digest: Hash) -> Any:
        return self._children[digest]


def make_image(*files: str, architecture: str = "amd64") -> MemoryImage:
    """An image with one layer per file name (content: the name, repeated)."""
    return MemoryImage(
        [GzipLayer(name, name.encode() * 10) for name in files], architecture=architecture
    )


class Kit:
    GzipLayer = GzipLayer
    MemoryImage = MemoryImage
    MemoryIndex = MemoryIndex
    make_image = staticmethod(make_image)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
