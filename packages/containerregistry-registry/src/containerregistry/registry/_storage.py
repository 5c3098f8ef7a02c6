"""The registry's storage, in Distribution's layout, over any :class:`Driver`.

Under the driver's root (``<root>/docker/registry/v2``), as ``registry:2`` writes::

    blobs/sha256/<hh>/<hex>/data                                   every blob and manifest
    repositories/<name>/_layers/sha256/<hex>/link                  a blob of the repository
    repositories/<name>/_manifests/revisions/sha256/<hex>/link     a manifest of it
    repositories/<name>/_manifests/tags/<tag>/current/link         what a tag points at
    repositories/<name>/_manifests/tags/<tag>/index/sha256/<hex>/link   every target it had
    repositories/<name>/_uploads/<id>/data, startedat              uploads in progress

A link holds the digest it names. Nothing lives only in a process: any number of
registries may serve one storage. Two files are ours: ``mediatype`` next to a
revision's link, written only when a manifest was pushed with a Content-Type its
content does not imply (Distribution ignores it); and nothing else.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING

from containerregistry.registry._driver import OffsetMismatch

if TYPE_CHECKING:
    from containerregistry.registry._driver import Driver

#: Media types whose ``manifests`` list children (indexes).
INDEX_MEDIA_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
ROOT = "docker/registry/v2"
#: Subjects of manifests remembered for the referrers API (about 100 bytes each).
_SUBJECTS_KEPT = 65536
_OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_OCI_INDEX = "application/vnd.oci.image.index.v1+json"


@dataclasses.dataclass(frozen=True)
class ManifestRecord:
    """A stored manifest: its exact bytes, the Content-Type it was pushed with, and
    the facts the referrers API and the GCR listing need."""

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


def implied_media_type(data: bytes) -> str:
    """The media type Distribution gives manifest bytes: their ``mediaType``, else
    schema 1 (signed or not), an OCI index (``manifests``) or an OCI manifest."""
    try:
        document = json.loads(data)
    except ValueError:
        return _OCI_MANIFEST
    if not isinstance(document, dict):
        return _OCI_MANIFEST
    media_type = document.get("mediaType")
    if isinstance(media_type, str) and media_type:
        return media_type
    if document.get("schemaVersion") == 1:
        if "signatures" in document:
            return "application/vnd.docker.distribution.manifest.v1+prettyjws"
        return "application/vnd.docker.distribution.manifest.v1+json"
    return _OCI_INDEX if "manifests" in document else _OCI_MANIFEST


def _split(digest: str) -> tuple[str, str]:
    algorithm, _, hex_part = digest.partition(":")
    return algorithm, hex_part


class UploadUnknown(Exception):
    """The upload does not exist (finished, cancelled or never started)."""


class Storage:
    """Blobs, manifests, tags and uploads in Distribution's layout on ``driver``.

    Blobs are stored once and linked into each repository that has them; a
    repository sees only its own blobs. Every method is safe to call from many
    threads, and from many processes on one shared driver root.
    """

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        # Digest -> the digest of its subject (None: it has none). A manifest's bytes
        # never change, so this holds for every instance on the storage; the
        # revision links still decide what a repository has.
        self._subjects: collections.OrderedDict[str, str | None] = collections.OrderedDict()
        self._subjects_lock = threading.Lock()

    # -- paths ---------------------------------------------------------------------

    @staticmethod
    def blob_data_path(digest: str) -> str:
        """``docker/registry/v2/blobs/<algorithm>/<hh>/<hex>/data``."""
        algorithm, hex_part = _split(digest)
        return f"{ROOT}/blobs/{algorithm}/{hex_part[:2]}/{hex_part}/data"

    @staticmethod
    def _repository(repository: str) -> str:
        return f"{ROOT}/repositories/{repository}"

    def _layer_link(self, repository: str, digest: str) -> str:
        algorithm, hex_part = _split(digest)
        return f"{self._repository(repository)}/_layers/{algorithm}/{hex_part}/link"

    def _revision(self, repository: str, digest: str) -> str:
        algorithm, hex_part = _split(digest)
        return f"{self._repository(repository)}/_manifests/revisions/{algorithm}/{hex_part}"

    def _tags_dir(self, repository: str) -> str:
        return f"{self._repository(repository)}/_manifests/tags"

    def _upload(self, repository: str, upload_id: str) -> str:
        return f"{self._repository(repository)}/_uploads/{upload_id}"

    def _read_link(self, path: str) -> str | None:
        data = self.driver.read(path)
        if data is None:
            return None
        text = data.decode("ascii", "replace").strip()
        return text if ":" in text else None

    # -- blobs -----------------------------------------------------------------------

    def blob_size(self, repository: str, digest: str) -> int | None:
        """The size of blob ``digest`` if ``repository`` has it, else None."""
        if self._read_link(self._layer_link(repository, digest)) is None:
            return None
        return self.driver.size(self.blob_data_path(digest))

    def open_blob(self, repository: str, digest: str) -> tuple[bytes | IO[bytes], int] | None:
        """The content of blob ``digest`` of ``repository`` and its size, or None."""
        if self._read_link(self._layer_link(repository, digest)) is None:
            return None
        return self.driver.open(self.blob_data_path(digest))

    def delete_blob(self, repository: str, digest: str) -> bool:
        """Unlink blob ``digest`` from ``repository`` (the bytes stay until a gc)."""
        link = self._layer_link(repository, digest)
        if self._read_link(link) is None:
            return False
        return self.driver.delete(link)

    def mount_blob(self, repository: str, digest: str, source: str) -> bool:
        """Link blob ``digest`` of repository ``source`` into ``repository``."""
        if self.blob_size(source, digest) is None:
            return False
        self.driver.write(self._layer_link(repository, digest), digest.encode())
        return True

    def adopt_blob(self, repository: str, digest: str) -> bool:
        """Link blob ``digest`` into ``repository`` if any repository has its bytes."""
        if self.driver.size(self.blob_data_path(digest)) is None:
            return False
        self.driver.write(self._layer_link(repository, digest), digest.encode())
        return True

    # -- uploads ---------------------------------------------------------------------

    def start_upload(self, repository: str) -> str:
        """Open an upload in ``repository``; return its id."""
        upload_id = str(uuid.uuid4())
        base = self._upload(repository, upload_id)
        started = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        self.driver.write(f"{base}/startedat", started.encode())
        self.driver.write(f"{base}/data", b"")
        return upload_id

    def upload_size(self, repository: str, upload_id: str) -> int | None:
        """Bytes received so far by upload ``upload_id``, None when it does not exist."""
        return self.driver.size(f"{self._upload(repository, upload_id)}/data")

    def upload_touched(self, repository: str, upload_id: str) -> float | None:
        """When upload ``upload_id`` last received bytes (seconds since the epoch)."""
        return self.driver.mtime(f"{self._upload(repository, upload_id)}/data")

    def upload_state(self, repository: str, upload_id: str) -> tuple[int, float] | None:
        """Bytes received so far by upload ``upload_id`` and when it last received
        some (seconds since the epoch, as the storage's clock keeps them), in one
        look; None when it does not exist."""
        return self.driver.stat(f"{self._upload(repository, upload_id)}/data")

    def append_upload(
        self, repository: str, upload_id: str, chunks: Iterable[bytes], offset: int
    ) -> int:
        """Append to the upload if it holds ``offset`` bytes; return the new size.

        :class:`OffsetMismatch` when it does not, :class:`UploadUnknown` when it is gone.
        """
        try:
            return self.driver.append(f"{self._upload(repository, upload_id)}/data", chunks, offset)
        except OffsetMismatch as exc:
            if exc.size < 0:
                raise UploadUnknown(upload_id) from None
            raise

    def read_upload(self, repository: str, upload_id: str) -> Iterator[bytes]:
        """The bytes of the upload so far, in chunks."""
        opened = self.driver.open(f"{self._upload(repository, upload_id)}/data")
        if opened is None:
            raise UploadUnknown(upload_id)
        source, _ = opened
        if isinstance(source, bytes):
            yield source
            return
        with source:
            while chunk := source.read(1 << 20):
                yield chunk

    def commit_upload(self, repository: str, upload_id: str, digest: str) -> None:
        """Make the upload blob ``digest`` (verified by the caller) of ``repository``."""
        base = self._upload(repository, upload_id)
        target = self.blob_data_path(digest)
        if self.driver.size(target) is None:
            self.driver.move(f"{base}/data", target)
        self.driver.write(self._layer_link(repository, digest), digest.encode())
        self.driver.delete(base)

    def delete_upload(self, repository: str, upload_id: str) -> bool:
        """Forget the upload and its bytes."""
        return self.driver.delete(self._upload(repository, upload_id))

    def uploads(self) -> Iterator[tuple[str, str]]:
        """``(repository, upload id)`` of every upload in progress."""
        for repository in self._walk_repositories(f"{ROOT}/repositories", "", "_uploads"):
            for upload_id in self.driver.list(f"{self._repository(repository)}/_uploads"):
                yield repository, upload_id

    # -- manifests -------------------------------------------------------------------

    def put_manifest(self, repository: str, record: ManifestRecord, tags: list[str]) -> None:
        """Store ``record`` in ``repository`` and point ``tags`` at it."""
        data_path = self.blob_data_path(record.digest)
        if self.driver.size(data_path) != len(record.data):
            self.driver.write(data_path, record.data)
        revision = self._revision(repository, record.digest)
        if record.media_type != implied_media_type(record.data):
            self.driver.write(f"{revision}/mediatype", record.media_type.encode())
        self.driver.write(f"{revision}/link", record.digest.encode())
        algorithm, hex_part = _split(record.digest)
        for tag in tags:
            tag_dir = f"{self._tags_dir(repository)}/{tag}"
            self.driver.write(
                f"{tag_dir}/index/{algorithm}/{hex_part}/link", record.digest.encode()
            )
            self.driver.write(f"{tag_dir}/current/link", record.digest.encode())

    def tag_target(self, repository: str, tag: str) -> str | None:
        """The digest ``tag`` points at, or None."""
        return self._read_link(f"{self._tags_dir(repository)}/{tag}/current/link")

    def get_manifest(self, repository: str, reference: str) -> ManifestRecord | None:
        """The manifest a tag or digest names in ``repository``, or None."""
        digest = reference if ":" in reference else self.tag_target(repository, reference)
        if digest is None:
            return None
        return self._record(repository, digest)

    def _record(self, repository: str, digest: str) -> ManifestRecord | None:
        from containerregistry.registry._manifests import build_record

        revision = self._revision(repository, digest)
        if self._read_link(f"{revision}/link") != digest:
            return None
        data = self.driver.read(self.blob_data_path(digest))
        if data is None:
            return None
        stored_type = self.driver.read(f"{revision}/mediatype")
        media_type = stored_type.decode() if stored_type else implied_media_type(data)
        uploaded = self.driver.mtime(f"{revision}/link") or 0.0
        return build_record(digest, media_type, data, uploaded_ms=int(uploaded * 1000))

    def delete_manifest(self, repository: str, digest: str) -> bool:
        """Remove a manifest and every tag pointing at it; False when absent."""
        revision = self._revision(repository, digest)
        if self._read_link(f"{revision}/link") != digest:
            return False
        for tag, target in (self.tags(repository) or {}).items():
            if target == digest:
                self.driver.delete(f"{self._tags_dir(repository)}/{tag}")
        self.driver.delete(revision)
        return True

    def delete_tag(self, repository: str, tag: str) -> bool:
        """Remove one tag (the manifest stays); False when absent."""
        if self.tag_target(repository, tag) is None:
            return False
        return self.driver.delete(f"{self._tags_dir(repository)}/{tag}")

    def _digests(self, repository: str) -> list[str]:
        base = f"{self._repository(repository)}/_manifests/revisions"
        found = []
        for algorithm in self.driver.list(base):
            for hex_part in self.driver.list(f"{base}/{algorithm}"):
                digest = f"{algorithm}:{hex_part}"
                if self._read_link(f"{base}/{algorithm}/{hex_part}/link") == digest:
                    found.append(digest)
        return found

    def tags(self, repository: str) -> dict[str, str] | None:
        """Tag to digest for ``repository``, None when it holds no manifest."""
        tags = {}
        for tag in self.driver.list(self._tags_dir(repository)):
            target = self.tag_target(repository, tag)
            if target is not None:
                tags[tag] = target
        if not tags and not self._has_manifest(repository):
            return None
        return tags

    def manifests(self, repository: str) -> list[ManifestRecord]:
        """Every manifest stored in ``repository``."""
        records = (self._record(repository, digest) for digest in self._digests(repository))
        return [record for record in records if record is not None]

    def referrers(self, repository: str, subject: str) -> list[ManifestRecord]:
        """The manifests of ``repository`` whose ``subject`` is ``subject``.

        Only those are read in full: the subject of every other one is known from
        an earlier request (manifests never change) or read once.
        """
        found = []
        for digest in self._digests(repository):
            if self._subject_of(digest) != subject:
                continue
            record = self._record(repository, digest)
            if record is not None:
                found.append(record)
        return found

    def _subject_of(self, digest: str) -> str | None:
        with self._subjects_lock:
            if digest in self._subjects:
                self._subjects.move_to_end(digest)
                return self._subjects[digest]
        data = self.driver.read(self.blob_data_path(digest))
        if data is None:
            return None
        subject = None
        try:
            document = json.loads(data)
        except ValueError:
            document = None
        if isinstance(document, dict) and isinstance(document.get("subject"), dict):
            value = document["subject"].get("digest")
            subject = value if isinstance(value, str) else None
        with self._subjects_lock:
            self._subjects[digest] = subject
            while len(self._subjects) > _SUBJECTS_KEPT:
                self._subjects.popitem(last=False)
        return subject

    def _has_manifest(self, repository: str) -> bool:
        """Whether ``repository`` holds a manifest: the first whole revision link is
        enough (the catalog asks this of every repository)."""
        base = f"{self._repository(repository)}/_manifests/revisions"
        for algorithm in self.driver.list(base):
            for hex_part in self.driver.list(f"{base}/{algorithm}"):
                digest = f"{algorithm}:{hex_part}"
                if self._read_link(f"{base}/{algorithm}/{hex_part}/link") == digest:
                    return True
        return False

    def _walk_repositories(self, base: str, name: str, marker: str) -> Iterator[str]:
        children = self.driver.list(base)
        if name and marker in children:
            yield name
        for child in children:
            if not child.startswith("_"):
                yield from self._walk_repositories(
                    f"{base}/{child}", f"{name}/{child}" if name else child, marker
                )

    def repositories(self) -> list[str]:
        """The names of every repository holding at least one manifest, sorted."""
        names = self._walk_repositories(f"{ROOT}/repositories", "", "_manifests")
        return sorted(name for name in names if self._has_manifest(name))

    # -- garbage collection helpers ----------------------------------------------------

    def blob_digests(self) -> Iterator[str]:
        """Every blob in the blob store."""
        base = f"{ROOT}/blobs"
        for algorithm in self.driver.list(base):
            for prefix in self.driver.list(f"{base}/{algorithm}"):
                for hex_part in self.driver.list(f"{base}/{algorithm}/{prefix}"):
                    if self.driver.size(f"{base}/{algorithm}/{prefix}/{hex_part}/data") is not None:
                        yield f"{algorithm}:{hex_part}"
