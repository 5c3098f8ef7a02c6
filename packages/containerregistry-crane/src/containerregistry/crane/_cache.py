"""``pull --cache_path``: keep compressed layer blobs in a directory and read them from there."""

from __future__ import annotations

import io
import os
import tempfile
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import compression

if TYPE_CHECKING:
    from containerregistry.v1 import ConfigFile, Hash, Image, Layer, Manifest


def _entry(directory: str, digest: Hash) -> str:
    # ggcr names entries "sha256:<hex>"; ":" is not allowed in Windows file names.
    separator = "-" if os.name == "nt" else ":"
    return os.path.join(directory, f"{digest.algorithm}{separator}{digest.hex}")


class _Tee(io.RawIOBase):
    """Reads a stream and copies it to a temporary file, renamed into the cache at EOF."""

    def __init__(self, source: BinaryIO, target: str) -> None:
        self._source = source
        self._target = target
        directory = os.path.dirname(target)
        self._fd, self._temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        self._file = os.fdopen(self._fd, "wb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._source.read(len(buffer))
        if data:
            self._file.write(data)
            buffer[: len(data)] = data
            return len(data)
        if not self._file.closed:
            # The source verified digest and size at EOF, so the copy is complete.
            self._file.close()
            os.replace(self._temporary, self._target)
        return 0

    def close(self) -> None:
        if not self.closed:
            self._source.close()
            if not self._file.closed:
                self._file.close()
                os.unlink(self._temporary)
        super().close()


class CachedLayer:
    """A layer whose compressed bytes come from the cache when present, else are cached."""

    def __init__(self, layer: Layer, directory: str) -> None:
        self._layer = layer
        self._directory = directory

    def digest(self) -> Hash:
        """The compressed digest."""
        return self._layer.digest()

    def diff_id(self) -> Hash:
        """The uncompressed digest."""
        return self._layer.diff_id()

    def size(self) -> int:
        """The compressed size."""
        return self._layer.size()

    def media_type(self) -> str:
        """The layer's media type."""
        return self._layer.media_type()

    def compressed(self) -> BinaryIO:
        """The blob, from the cache when it holds a copy of the right size."""
        path = _entry(self._directory, self.digest())
        if os.path.isfile(path) and os.path.getsize(path) == self.size():
            return open(path, "rb")
        return io.BufferedReader(_Tee(self._layer.compressed(), path))

    def uncompressed(self) -> BinaryIO:
        """The layer's tar stream, decompressed from :meth:`compressed`."""
        return compression.decompress(self.compressed())


class CachedImage:
    """An image whose layers are read through a filesystem cache."""

    def __init__(self, image: Image, directory: str) -> None:
        self._image = image
        self._directory = directory

    def layers(self) -> list[Layer]:
        """The layers, each cached."""
        return [CachedLayer(layer, self._directory) for layer in self._image.layers()]

    def media_type(self) -> str:
        """The manifest's media type."""
        return self._image.media_type()

    def size(self) -> int:
        """The manifest's size."""
        return self._image.size()

    def digest(self) -> Hash:
        """The manifest's digest."""
        return self._image.digest()

    def config_name(self) -> Hash:
        """The config's digest."""
        return self._image.config_name()

    def config_file(self) -> ConfigFile:
        """The parsed config."""
        return self._image.config_file()

    def raw_config_file(self) -> bytes:
        """The config bytes."""
        return self._image.raw_config_file()

    def manifest(self) -> Manifest:
        """The parsed manifest."""
        return self._image.manifest()

    def raw_manifest(self) -> bytes:
        """The manifest bytes."""
        return self._image.raw_manifest()

    def layer_by_digest(self, digest: Hash) -> Layer:
        """The cached layer with compressed digest ``digest``."""
        return CachedLayer(self._image.layer_by_digest(digest), self._directory)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """The cached layer with uncompressed digest ``diff_id``."""
        return CachedLayer(self._image.layer_by_diff_id(diff_id), self._directory)


def cached_image(image: Image, directory: str | os.PathLike[str]) -> Image:
    """Return ``image`` with its layer blobs cached in ``directory`` (created if missing)."""
    path = os.fspath(directory)
    os.makedirs(path, exist_ok=True)
    return CachedImage(image, path)
