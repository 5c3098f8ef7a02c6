"""Images, indexes and layers of random bytes, for tests and benchmarks.

Each layer is a tar holding one file of random bytes, generated on demand in
chunks, so a layer of any size takes no memory. With a seed everything is
deterministic (the same seed gives the same digests on every run and machine);
Go's ``math/rand`` sequence is not reproduced, so the digests differ from ggcr's.
"""

from __future__ import annotations

import io
import random as _stdlib_random
from typing import BinaryIO, cast

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.partial import (
    BlobNotFoundError,
    UncompressedLayerCore,
    index_from_raw,
    uncompressed_to_image,
    uncompressed_to_layer,
)
from containerregistry.partial._memo import Memo
from containerregistry.v1 import (
    ConfigFile,
    Descriptor,
    Hash,
    History,
    Image,
    ImageIndex,
    IndexManifest,
    Layer,
    RootFS,
)

#: Random bytes are generated this many at a time; a fixed size keeps the byte
#: sequence of a seed independent of how callers read.
_CHUNK_SIZE = 1 << 20
_BLOCK_SIZE = 512
#: Go ends an archive with two zero blocks.
_END_OF_ARCHIVE = b"\0" * 1024


class _HeaderWritten(Exception):
    """Stops TarWriter right after it has written an entry's header."""


class _StopOnRead:
    def read(self, size: int = -1) -> bytes:
        raise _HeaderWritten


def _tar_header(name: str, size: int) -> bytes:
    """Return the header bytes Go's archive/tar writes for a regular file ``name``."""
    sink = io.BytesIO()
    writer = TarWriter(sink)
    try:
        writer.add_file(name, cast(BinaryIO, _StopOnRead()), size=size, mode=0o644)
    except _HeaderWritten:
        return sink.getvalue()
    return sink.getvalue()  # size 0: the whole entry is the header


class _RandomTar(io.RawIOBase):
    """A tar stream of one file of seeded random bytes, produced as it is read."""

    def __init__(self, header: bytes, size: int, content_seed: int) -> None:
        super().__init__()
        padding = -size % _BLOCK_SIZE
        self._parts = iter(
            (
                ("bytes", header),
                ("random", size),
                ("bytes", b"\0" * padding + _END_OF_ARCHIVE),
            )
        )
        self._rng = _stdlib_random.Random(content_seed)
        self._pending = memoryview(b"")
        self._random_left = 0

    def readable(self) -> bool:
        return True

    def _refill(self) -> bool:
        while not self._pending:
            if self._random_left:
                count = min(self._random_left, _CHUNK_SIZE)
                self._random_left -= count
                self._pending = memoryview(self._rng.randbytes(count))
                continue
            part = next(self._parts, None)
            if part is None:
                return False
            kind, value = part
            if kind == "random":
                assert isinstance(value, int)
                self._random_left = value
            else:
                assert isinstance(value, bytes)
                self._pending = memoryview(value)
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if not self._refill():
            return 0
        view = memoryview(buffer).cast("B")
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


class _RandomLayerCore:
    def __init__(self, size: int, media_type: str, rng: _stdlib_random.Random) -> None:
        self._size = size
        self._media_type = media_type
        self._name = f"random_file_{rng.getrandbits(63)}.txt"
        self._content_seed = rng.getrandbits(64)
        self._header = _tar_header(self._name, size)
        self._diff_id = Memo(self._hash)

    def _hash(self) -> Hash:
        with self.uncompressed() as stream:
            return Hash.of_stream(stream)[0]

    def diff_id(self) -> Hash:
        return self._diff_id.get()

    def uncompressed(self) -> BinaryIO:
        return cast(BinaryIO, _RandomTar(self._header, self._size, self._content_seed))

    def media_type(self) -> str:
        return self._media_type

    def uncompressed_size(self) -> int:
        return len(self._header) + self._size + (-self._size % _BLOCK_SIZE) + 1024


def _rng(seed: int | None) -> _stdlib_random.Random:
    # Without a seed, Random() seeds itself from the OS's entropy source.
    return _stdlib_random.Random() if seed is None else _stdlib_random.Random(seed)


def layer(size: int, media_type: str = types.DOCKER_LAYER, *, seed: int | None = None) -> Layer:
    """Return a layer whose tar holds one file of ``size`` random bytes.

    Args:
        size: bytes in the file (the tar adds headers and padding).
        media_type: default ``types.DOCKER_LAYER``; the blob is compressed as the
            type says (gzip, zstd or none).
        seed: default None (different bytes every time); an int makes the layer,
            and so its digests, the same on every run.
    """
    if size < 0:
        raise ValueError(f"invalid random layer size {size}: want >= 0")
    return uncompressed_to_layer(_RandomLayerCore(size, media_type, _rng(seed)))


class _RandomImageCore:
    def __init__(self, byte_size: int, layer_count: int, rng: _stdlib_random.Random) -> None:
        self._layers = [
            _RandomLayerCore(byte_size, types.DOCKER_LAYER, rng) for _ in range(layer_count)
        ]
        self._config = Memo(self._make_config)

    def _make_config(self) -> bytes:
        count = len(self._layers)
        return ConfigFile(
            rootfs=RootFS(diff_ids=tuple(core.diff_id() for core in self._layers)),
            history=tuple(
                History(
                    author="random.Image",
                    comment=f"this is a random history {i} of {count}",
                    created_by="random",
                )
                for i in range(count)
            ),
        ).to_json()

    def raw_config_file(self) -> bytes:
        return self._config.get()

    def media_type(self) -> str:
        return types.DOCKER_MANIFEST_SCHEMA2

    def layer_by_diff_id(self, diff_id: Hash) -> UncompressedLayerCore:
        for core in self._layers:
            if core.diff_id() == diff_id:
                return core
        raise BlobNotFoundError(f"the random image has no layer with diff ID {diff_id}")


def image(byte_size: int, layers: int, *, seed: int | None = None) -> Image:
    """Return a Docker v2 image of ``layers`` random layers of ``byte_size`` bytes each.

    Layers are gzipped lazily; the config lists one history entry per layer
    (author ``random.Image``, created_by ``random``). ``seed`` (default None:
    random every time) makes the image deterministic.
    """
    if layers < 0:
        raise ValueError(f"invalid layer count {layers}: want >= 0")
    if byte_size < 0:
        raise ValueError(f"invalid random layer size {byte_size}: want >= 0")
    return uncompressed_to_image(_RandomImageCore(byte_size, layers, _rng(seed)))


def index(byte_size: int, layers: int, count: int, *, seed: int | None = None) -> ImageIndex:
    """Return an OCI index of ``count`` random images (see :func:`image`), without platforms.

    The images are built (and their layers compressed) now, as their digests go
    into the index manifest. ``seed`` (default None) makes the index deterministic.
    """
    if count < 0:
        raise ValueError(f"invalid image count {count}: want >= 0")
    rng = _rng(seed)
    children: dict[Hash, Image | ImageIndex] = {}
    descriptors = []
    for _ in range(count):
        child = image(byte_size, layers, seed=rng.getrandbits(64))
        descriptors.append(
            Descriptor(media_type=child.media_type(), size=child.size(), digest=child.digest())
        )
        children[child.digest()] = child
    raw = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=tuple(descriptors)).to_json()
    return index_from_raw(raw, children=children)
