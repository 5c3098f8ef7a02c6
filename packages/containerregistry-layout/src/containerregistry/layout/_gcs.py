"""OCI image layouts in Google Cloud Storage: ``gs://bucket/prefix`` (the ``gcs`` extra).

The layout's files are objects named ``<prefix>/oci-layout``, ``<prefix>/index.json``
and ``<prefix>/blobs/<alg>/<hex>``. Blobs are uploaded once (an existing object is
skipped, and two writers racing on one blob both succeed). ``index.json`` is
rewritten with a generation precondition (``if_generation_match``): a writer that
lost a race re-reads the index and applies its change again, so concurrent writers
lose nothing. google-cloud-storage is imported on first use.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from containerregistry import workers
from containerregistry.layout._errors import BlobNotFoundError, InvalidLayoutError, LayoutError
from containerregistry.layout._json import OCI_LAYOUT_BYTES, indented_index
from containerregistry.layout._layout import (
    DEFAULT_JOBS,
    INDEX_NAME,
    NOT_A_LAYOUT,
    OCI_LAYOUT_NAME,
    Layout,
)
from containerregistry.layout._views import LayoutIndex, NamedVerifier
from containerregistry.v1 import Hash, ImageIndex, IndexManifest

if TYPE_CHECKING:
    from google.cloud.storage import Bucket, Client

#: The scheme of layout paths in Google Cloud Storage.
GCS_SCHEME = "gs://"
#: Tries of one ``index.json`` update that keeps losing races to other writers.
INDEX_ATTEMPTS = 20
#: The first wait after a lost race (seconds), doubled each time, with jitter.
_FIRST_WAIT = 0.05
_CHUNK = 8 << 20
#: Blobs up to this size are spooled in memory before upload, larger ones on disk.
_SPOOL_IN_MEMORY = 8 << 20


def is_gcs_path(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a layout in Google Cloud Storage (``gs://bucket[/prefix]``)."""
    return isinstance(path, str) and path.startswith(GCS_SCHEME)


def split_gcs_path(path: str) -> tuple[str, str]:
    """Return ``(bucket, prefix)`` of ``gs://bucket/prefix`` (prefix without slashes
    at either end; empty for the bucket's root)."""
    if not is_gcs_path(path):
        raise LayoutError(f"{path} is not a gs://bucket/prefix path")
    bucket, _, prefix = path[len(GCS_SCHEME) :].partition("/")
    if not bucket:
        raise LayoutError(f"{path} names no bucket; write gs://bucket/prefix")
    return bucket, prefix.strip("/")


def _storage_errors() -> tuple[type[Exception], type[Exception]]:
    from google.api_core import exceptions

    return exceptions.NotFound, exceptions.PreconditionFailed


def default_client() -> Client:
    """A storage client: anonymous against ``STORAGE_EMULATOR_HOST`` when it is set,
    else with application default credentials."""
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        project = os.environ.get("GOOGLE_CLOUD_PROJECT", "emulator")
        return storage.Client(project=project, credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return storage.Client()


class GcsLayout(Layout):
    """The OCI image layout at ``gs://bucket/prefix``; the same API as :class:`Layout`.

    ``client`` is a ``google.cloud.storage.Client`` (default: :func:`default_client`,
    made on first use). ``jobs`` as in :class:`Layout` (default 4).
    """

    def __init__(
        self, path: str, *, jobs: int = DEFAULT_JOBS, client: Client | None = None
    ) -> None:
        super().__init__(path, jobs=jobs)
        self.bucket_name, self.prefix = split_gcs_path(path)
        self.path = f"{GCS_SCHEME}{self.bucket_name}" + (f"/{self.prefix}" if self.prefix else "")
        self._client = client
        self._bucket: Bucket | None = None

    def __repr__(self) -> str:
        return f"GcsLayout({self.path!r})"

    @property
    def bucket(self) -> Bucket:
        """The bucket (its client made on first use)."""
        if self._bucket is None:
            client = self._client if self._client is not None else default_client()
            self._bucket = client.bucket(self.bucket_name)
        return self._bucket

    def object_name(self, relative: str) -> str:
        """The object name of the layout file ``relative`` (e.g. ``index.json``)."""
        return f"{self.prefix}/{relative}" if self.prefix else relative

    def _blob_name(self, digest: Hash) -> str:
        return self.object_name(f"blobs/{digest.algorithm}/{digest.hex}")

    def blob_path(self, digest: Hash) -> str:
        """Return ``gs://bucket/prefix/blobs/<alg>/<hex>``."""
        return f"{GCS_SCHEME}{self.bucket_name}/{self._blob_name(digest)}"

    # -- reading ---------------------------------------------------------------

    def _open_blob(self, digest: Hash, size: int | None) -> BinaryIO:
        found = self.bucket.get_blob(self._blob_name(digest))
        if found is None:
            raise BlobNotFoundError(
                f"{self.path}: blob {digest} not found (no object {self.blob_path(digest)}); "
                "the layout is incomplete: write the image again"
            )
        reader: BinaryIO = found.open("rb", chunk_size=_CHUNK)
        return NamedVerifier(
            reader, digest=digest, size=size, label=self.blob_path(digest)
        ).as_binary_io()

    def _read_index(self) -> tuple[builtins.bytes, int]:
        """``index.json``'s bytes and generation."""
        found = self.bucket.get_blob(self.object_name(INDEX_NAME))
        if found is None:
            raise self._no_index()
        generation = int(found.generation)
        not_found, precondition_failed = _storage_errors()
        try:
            data: builtins.bytes = found.download_as_bytes(if_generation_match=generation)
        except (not_found, precondition_failed):
            return self._read_index()  # replaced between the two requests: read it again
        return data, generation

    def _raw_index(self) -> builtins.bytes:
        return self._read_index()[0]

    def _no_bucket(self) -> LayoutError:
        return LayoutError(
            f"{self.path}: bucket {self.bucket_name} does not exist; create it first "
            "or correct the gs://bucket/prefix path"
        )

    def _no_index(self) -> LayoutError:
        """The error for a missing ``index.json``: the bucket's absence when that is the
        cause (asked only now, and only believed when the answer is a clear no)."""
        from google.api_core.exceptions import GoogleAPICallError

        try:
            bucket_exists = bool(self.bucket.exists())
        except GoogleAPICallError:  # e.g. no permission to read bucket metadata
            bucket_exists = True
        if not bucket_exists:
            return self._no_bucket()
        return InvalidLayoutError(f"{self.path}: no {INDEX_NAME}; {NOT_A_LAYOUT}")

    # -- writing ---------------------------------------------------------------

    def _exists_with_size(self, digest: Hash, size: int | None) -> bool:
        found = self.bucket.get_blob(self._blob_name(digest))
        return found is not None and (size is None or found.size == size)

    def _upload_once(self, name: str, upload: Callable[[Any], None]) -> None:
        """Upload with ``if_generation_match=0``: a blob another writer finished first is
        the same content (it has the same digest), so losing that race is success."""
        not_found, precondition_failed = _storage_errors()
        try:
            upload(self.bucket.blob(name))
        except precondition_failed:
            pass
        except not_found as exc:  # an upload answered 404: the bucket is missing
            raise self._no_bucket() from exc

    def _store(
        self, digest: Hash, stream: BinaryIO, size: int | None, stop: threading.Event | None
    ) -> None:
        """Upload ``stream`` as blob ``digest``. The content is verified (spooled to
        memory or a temporary file) before any byte is uploaded, so a bad stream
        leaves no object; ``stop`` is checked between chunks."""
        checked = NamedVerifier(stream, digest=digest, size=size, label=f"blob {digest}")
        buffer = memoryview(bytearray(1 << 20))
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            while count := checked.readinto(buffer):
                spool.write(buffer[:count])
                workers.check(stop)
            length = spool.tell()
            spool.seek(0)
            self._upload_once(
                self._blob_name(digest),
                lambda blob: blob.upload_from_file(spool, size=length, if_generation_match=0),
            )

    def _write_bytes_blob(self, data: builtins.bytes) -> Hash:
        digest = Hash.of(data)
        if not self._exists_with_size(digest, len(data)):
            self._upload_once(
                self._blob_name(digest),
                lambda blob: blob.upload_from_string(data, if_generation_match=0),
            )
        return digest

    def write_file(self, name: str, data: builtins.bytes) -> None:
        """Write ``data`` to the object ``name`` inside the layout (replacing it)."""
        not_found, _ = _storage_errors()
        try:
            self.bucket.blob(self.object_name(name)).upload_from_string(data)
        except not_found as exc:
            raise self._no_bucket() from exc

    def remove_blob(self, digest: Hash) -> None:
        """Delete blob ``digest``; a blob that is not there is not an error."""
        not_found, _ = _storage_errors()
        with contextlib.suppress(not_found):
            self.bucket.blob(self._blob_name(digest)).delete()

    def _edit_index(self, change: Callable[[IndexManifest], IndexManifest]) -> None:
        _, precondition_failed = _storage_errors()
        wait = _FIRST_WAIT
        for _ in range(INDEX_ATTEMPTS):
            raw, generation = self._read_index()
            current = LayoutIndex(self._open_blob, raw, label=self.path).index_manifest()
            data = indented_index(change(current))
            try:
                self.bucket.blob(self.object_name(INDEX_NAME)).upload_from_string(
                    data, content_type="application/json", if_generation_match=generation
                )
                return
            except precondition_failed:
                # Another writer changed index.json since we read it: apply ours again.
                time.sleep(wait * (1 + random.random()))
                wait = min(wait * 2, 2.0)
        raise LayoutError(
            f"{self.path}: {INDEX_NAME} kept changing under us ({INDEX_ATTEMPTS} tries); "
            "too many concurrent writers: try again"
        )

    # -- garbage collection ----------------------------------------------------

    def garbage_collect(self, *, remove: bool = False) -> list[Hash]:
        """Return the blobs nothing in ``index.json`` reaches, sorted; delete them with
        ``remove`` (default False).

        There is no lock in a bucket: a writer that has uploaded blobs but not yet
        updated ``index.json`` would lose them, so collect only when nobody writes.
        """
        reachable: set[Hash] = set()
        self._mark_index(self.image_index(), reachable)
        unreachable = sorted(d for d in self._all_blobs() if d not in reachable)
        if remove:
            for digest in unreachable:
                self.remove_blob(digest)
        return unreachable

    def _all_blobs(self) -> list[Hash]:
        found: list[Hash] = []
        start = self.object_name("blobs/")
        for item in self.bucket.client.list_blobs(self.bucket_name, prefix=start):
            algorithm, _, hex_part = item.name[len(start) :].partition("/")
            try:
                found.append(Hash(algorithm, hex_part))
            except ValueError:
                continue
        return sorted(found)


def gcs_layout(
    path: str, *, create: bool = False, jobs: int = DEFAULT_JOBS, client: Client | None = None
) -> GcsLayout:
    """Return the layout at ``gs://bucket/prefix``.

    It must have an ``index.json`` unless ``create`` (default False), which makes
    an empty layout (``oci-layout`` and an index with no manifests) when there is
    none; two creators racing both succeed and keep one index. The bucket must
    exist: a missing one is a :class:`LayoutError` that says so.
    """
    layout = GcsLayout(path, jobs=jobs, client=client)
    if layout.bucket.get_blob(layout.object_name(INDEX_NAME)) is not None:
        return layout
    if not create:
        raise layout._no_index()
    from containerregistry import empty

    layout.write_file(OCI_LAYOUT_NAME, OCI_LAYOUT_BYTES)
    raw = empty.index.raw_manifest()
    layout._upload_once(
        layout.object_name(INDEX_NAME),
        lambda blob: blob.upload_from_string(
            raw, content_type="application/json", if_generation_match=0
        ),
    )
    return layout


def write_gcs(
    path: str, index: ImageIndex, *, jobs: int = DEFAULT_JOBS, client: Client | None = None
) -> GcsLayout:
    """Create (or overwrite) the layout at ``gs://bucket/prefix`` holding ``index``:
    ``oci-layout``, every child blob, then ``index.json`` (the index's raw manifest)."""
    layout = GcsLayout(path, jobs=jobs, client=client)
    layout.write_file(OCI_LAYOUT_NAME, OCI_LAYOUT_BYTES)
    layout._write_children(index)
    layout.write_file(INDEX_NAME, index.raw_manifest())
    return layout
