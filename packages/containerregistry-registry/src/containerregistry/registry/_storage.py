"""What the registry needs from a storage backend, and the manifest index both share."""

from __future__ import annotations

import dataclasses
import threading
from typing import IO, Protocol

#: Media types whose ``manifests`` list children (indexes).
INDEX_MEDIA_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)


@dataclasses.dataclass(frozen=True)
class ManifestRecord:
    """A stored manifest: its exact bytes, the Content-Type it was pushed with, and
    the facts the referrers API and the GCR listing need, parsed once at PUT."""

    digest: str
    media_type: str
    data: bytes
    #: Unix milliseconds of the PUT, and of the image's config ``created`` (0 if unknown).
    uploaded_ms: int
    created_ms: int = 0
    subject: str | None = None
    artifact_type: str | None = None
    annotations: dict[str, str] | None = None
    #: Sum of the sizes of the config and layers (or children), as GCR reports it.
    image_size: int = 0


class BlobWriter(Protocol):
    """The bytes of an upload in progress; nothing is visible until ``commit``."""

    def write(self, data: bytes) -> None:
        """Append ``data``."""

    def release(self) -> None:
        """Free OS resources (open files) between requests; the bytes stay."""

    def commit(self, digest: str) -> None:
        """Store what was written as blob ``digest`` (already verified by the caller)."""

    def abort(self) -> None:
        """Forget what was written; the storage keeps nothing of it."""


class Storage(Protocol):
    """Blob and manifest storage. Blobs are global; manifests and tags per repository.

    Every method is safe to call from several threads at once.
    """

    def blob_size(self, digest: str) -> int | None:
        """The size of blob ``digest``, or None when it is absent."""

    def open_blob(self, digest: str) -> tuple[bytes | IO[bytes], int] | None:
        """The content of blob ``digest`` (bytes or an open file) and its size."""

    def delete_blob(self, digest: str) -> bool:
        """Remove blob ``digest``; False when it was absent."""

    def new_blob_writer(self) -> BlobWriter:
        """Start the storage side of an upload."""

    def put_manifest(self, repository: str, record: ManifestRecord, tags: list[str]) -> None:
        """Store ``record`` in ``repository`` and point ``tags`` at it."""

    def get_manifest(self, repository: str, reference: str) -> ManifestRecord | None:
        """The manifest a tag or digest names in ``repository``, or None."""

    def delete_manifest(self, repository: str, digest: str) -> bool:
        """Remove a manifest and every tag pointing at it; False when absent."""

    def delete_tag(self, repository: str, tag: str) -> bool:
        """Remove one tag (the manifest stays); False when absent."""

    def tags(self, repository: str) -> dict[str, str] | None:
        """Tag to digest for ``repository``, None when the repository does not exist."""

    def manifests(self, repository: str) -> list[ManifestRecord]:
        """Every manifest stored in ``repository``."""

    def repositories(self) -> list[str]:
        """The names of every repository holding at least one manifest, sorted."""


@dataclasses.dataclass
class _Repository:
    manifests: dict[str, ManifestRecord] = dataclasses.field(default_factory=dict)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)


class ManifestIndex:
    """Manifests and tags in memory, guarded by one lock (manifests are small).

    The disk backend keeps the same index in memory and writes through to files.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._repositories: dict[str, _Repository] = {}

    def put_manifest(self, repository: str, record: ManifestRecord, tags: list[str]) -> None:
        with self._lock:
            repo = self._repositories.setdefault(repository, _Repository())
            repo.manifests[record.digest] = record
            for tag in tags:
                repo.tags[tag] = record.digest

    def get_manifest(self, repository: str, reference: str) -> ManifestRecord | None:
        with self._lock:
            repo = self._repositories.get(repository)
            if repo is None:
                return None
            digest = reference if ":" in reference else repo.tags.get(reference)
            return repo.manifests.get(digest) if digest else None

    def delete_manifest(self, repository: str, digest: str) -> bool:
        with self._lock:
            repo = self._repositories.get(repository)
            if repo is None or repo.manifests.pop(digest, None) is None:
                return False
            for tag in [t for t, d in repo.tags.items() if d == digest]:
                del repo.tags[tag]
            if not repo.manifests:
                del self._repositories[repository]
            return True

    def delete_tag(self, repository: str, tag: str) -> bool:
        with self._lock:
            repo = self._repositories.get(repository)
            return repo is not None and repo.tags.pop(tag, None) is not None

    def tags(self, repository: str) -> dict[str, str] | None:
        with self._lock:
            repo = self._repositories.get(repository)
            return None if repo is None else dict(repo.tags)

    def manifests(self, repository: str) -> list[ManifestRecord]:
        with self._lock:
            repo = self._repositories.get(repository)
            return [] if repo is None else list(repo.manifests.values())

    def repositories(self) -> list[str]:
        with self._lock:
            return sorted(self._repositories)
