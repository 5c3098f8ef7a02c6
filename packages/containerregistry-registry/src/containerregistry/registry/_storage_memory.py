"""Storage in memory: the default, for tests and throwaway registries."""

from __future__ import annotations

from containerregistry.registry._driver import MemoryDriver
from containerregistry.registry._storage import Storage


class MemoryStorage(Storage):
    """Blobs, manifests, tags and uploads in this process's memory, in Distribution's
    layout; gone when the process exits."""

    def __init__(self) -> None:
        super().__init__(MemoryDriver())
