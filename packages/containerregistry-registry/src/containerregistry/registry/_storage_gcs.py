"""Storage in Google Cloud Storage, in Distribution's layout (the ``gcs`` extra)."""

from __future__ import annotations

from typing import Any

from containerregistry.registry._driver_gcs import GcsDriver, default_client
from containerregistry.registry._storage import Storage


class GcsStorage(Storage):
    """Blobs, manifests, tags and uploads under ``gs://BUCKET/PREFIX``, at the object
    names ``registry:2``'s GCS driver uses with ``rootdirectory: PREFIX``.

    ``client_factory`` makes a ``google.cloud.storage.Client`` (default: anonymous
    against ``STORAGE_EMULATOR_HOST`` when set, else application default
    credentials). Any number of registries may serve one bucket and prefix.
    """

    def __init__(self, url: str, *, client_factory: Any = default_client) -> None:
        self.driver: GcsDriver
        super().__init__(GcsDriver.from_url(url, client_factory=client_factory))
        self.url = url
