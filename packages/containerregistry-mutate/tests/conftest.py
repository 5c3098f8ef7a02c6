"""Shared builders: layer tars written with the core TarWriter, and small images."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from containerregistry import compression, empty, static, types
from containerregistry.archive import TarWriter
from containerregistry.v1 import Hash

#: One entry: ("file", name, data) | ("dir", name) | ("symlink", name, target)
#: | ("hardlink", name, target)
Entry = tuple[Any, ...]


def build_tar(entries: Sequence[Entry]) -> bytes:
    buffer = io.BytesIO()
    writer = TarWriter(buffer)
    for entry in entries:
        kind, name = entry[0], entry[1]
        if kind == "file":
            writer.add_file(name, entry[2])
        elif kind == "dir":
            writer.add_directory(name)
        elif kind == "symlink":
            writer.add_symlink(name, entry[2])
        elif kind == "hardlink":
            writer.add_hardlink(name, entry[2])
        else:
            raise AssertionError(kind)
    writer.close()
    return buffer.getvalue()


class GzipLayer:
    """A gzipped layer held in memory (deterministic gzip from the core)."""

    def __init__(self, tar: bytes, media_type: str = types.DOCKER_LAYER) -> None:
        self._tar = tar
        self._blob = compression.compress(io.BytesIO(tar)).read()
        self._media_type = media_type

    def digest(self) -> Hash:
        return Hash.of(self._blob)

    def diff_id(self) -> Hash:
        return Hash.of(self._tar)

    def compressed(self) -> io.BytesIO:
        return io.BytesIO(self._blob)

    def uncompressed(self) -> io.BytesIO:
        return io.BytesIO(self._tar)

    def size(self) -> int:
        return len(self._blob)

    def media_type(self) -> str:
        return self._media_type


@pytest.fixture
def tar_layer() -> Callable[..., static.Layer]:
    def make(*entries: Entry) -> static.Layer:
        return static.Layer(build_tar(entries), types.DOCKER_UNCOMPRESSED_LAYER)

    return make


@pytest.fixture
def empty_image() -> Any:
    return empty.image


@pytest.fixture
def kit() -> Any:
    """The builders, for test modules (importlib mode cannot import conftest)."""
    import types as pytypes

    return pytypes.SimpleNamespace(build_tar=build_tar, GzipLayer=GzipLayer)
