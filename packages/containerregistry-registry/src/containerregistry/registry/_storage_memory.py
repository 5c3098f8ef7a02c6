"""Storage in memory: the default, for tests and throwaway registries."""

from __future__ import annotations

import threading
from typing import IO, TYPE_CHECKING

from containerregistry.registry._storage import ManifestIndex

if TYPE_CHECKING:
    from containerregistry.registry._storage import BlobWriter, Storage


class _MemoryBlobWriter:
    def __init__(self, store: MemoryStorage) -> None:
        self._store = store
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self._parts.append(data)

    def release(self) -> None:
        pass

    def commit(self, digest: str) -> None:
        data = b"".join(self._parts)
        self._parts = []
        with self._store._blob_lock:
            self._store._blobs[digest] = data

    def abort(self) -> None:
        self._parts = []


class MemoryStorage(ManifestIndex):
    """Blobs, manifests and tags in this process's memory; gone when it exits."""

    def __init__(self) -> None:
        super().__init__()
        self._blob_lock = threading.Lock()
        self._blobs: dict[str, bytes] = {}

    def blob_size(self, digest: str) -> int | None:
        data = self._blobs.get(digest)
        return None if data is None else len(data)

    def open_blob(self, digest: str) -> tuple[bytes | IO[bytes], int] | None:
        data = self._blobs.get(digest)
        return None if data is None else (data, len(data))

    def delete_blob(self, digest: str) -> bool:
        with self._blob_lock:
            return self._blobs.pop(digest, None) is not None

    def new_blob_writer(self) -> BlobWriter:
        return _MemoryBlobWriter(self)


if TYPE_CHECKING:
    _check: Storage = MemoryStorage()
    _check_writer: BlobWriter = _MemoryBlobWriter(MemoryStorage())
