"""A storage driver over Google Cloud Storage (the ``gcs`` extra): ``gs://BUCKET/PREFIX``.

Objects are named ``<prefix>/<path>``: the same paths under the prefix as the file
system driver under its root, as Distribution's GCS driver keeps them (its
``rootdirectory`` is our prefix). GCS objects cannot grow, so an upload's bytes
are appended by composition: the new bytes go to a temporary object, and
``compose([data, part])`` replaces ``data`` only if ``data`` is still the generation
that was read (``if_generation_match``). Two instances appending to one upload at
once cannot both win; the loser is told the new size (a 416 to the client). A body
that breaks off leaves ``data`` as it was.

google-cloud-storage is imported on first use; each thread of each process has
its own client, so the driver may be made before a server forks its workers.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from containerregistry.errors import ContainerRegistryError
from containerregistry.registry._driver import OffsetMismatch, check_path

if TYPE_CHECKING:
    from google.cloud.storage import Blob, Bucket, Client

#: The scheme of ``--storage`` values in Google Cloud Storage.
GCS_SCHEME = "gs://"
#: Bytes an append keeps in memory before it streams the rest as a resumable upload;
#: a multiple of 256 KiB, as resumable uploads need.
UPLOAD_CHUNK = 8 << 20
#: Blobs up to this size are read in one request; larger ones are streamed.
_READ_WHOLE = 1 << 20
_PART_PREFIX = ".tmp-part-"


class StorageUrlError(ContainerRegistryError, ValueError):
    """A ``--storage`` value is not ``gs://BUCKET/PREFIX``."""


def split_gcs_url(url: str) -> tuple[str, str]:
    """``(bucket, prefix)`` of ``gs://BUCKET/PREFIX`` (prefix without slashes at its
    ends; empty for the bucket's root)."""
    if not url.startswith(GCS_SCHEME):
        raise StorageUrlError(f"{url!r} is not gs://BUCKET/PREFIX")
    bucket, _, prefix = url[len(GCS_SCHEME) :].partition("/")
    if not bucket:
        raise StorageUrlError(f"{url!r} names no bucket; write gs://BUCKET/PREFIX")
    prefix = prefix.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise StorageUrlError(
            f"the prefix of {url!r} has an empty, . or .. component; write gs://BUCKET/PREFIX"
        )
    return bucket, prefix


def default_client() -> Client:
    """A storage client: anonymous against ``STORAGE_EMULATOR_HOST`` when it is set,
    else with application default credentials."""
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(
            project=os.environ.get("GOOGLE_CLOUD_PROJECT", "emulator"),
            credentials=AnonymousCredentials(),  # type: ignore[no-untyped-call]
        )
    return storage.Client()


def _errors() -> tuple[type[Exception], type[Exception]]:
    from google.api_core import exceptions

    return exceptions.NotFound, exceptions.PreconditionFailed


class GcsDriver:
    """Objects in bucket ``bucket`` under ``prefix`` (default: the bucket's root).

    ``client_factory`` makes a ``google.cloud.storage.Client`` (default
    :func:`default_client`); it is called once per thread and process.
    """

    def __init__(
        self, bucket: str, prefix: str = "", *, client_factory: Any = default_client
    ) -> None:
        self.bucket_name = bucket
        self.prefix = prefix.strip("/")
        self._client_factory = client_factory
        self._local = threading.local()

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> GcsDriver:
        """The driver of ``gs://BUCKET/PREFIX``."""
        bucket, prefix = split_gcs_url(url)
        return cls(bucket, prefix, **kwargs)

    def __repr__(self) -> str:
        return f"GcsDriver(gs://{self.bucket_name}/{self.prefix})"

    @property
    def bucket(self) -> Bucket:
        """This thread's bucket handle (its client made on first use)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.bucket = self._client_factory().bucket(self.bucket_name)
            local.pid = os.getpid()
        bucket: Bucket = local.bucket
        return bucket

    def name(self, path: str) -> str:
        """The object name of storage path ``path`` (checked)."""
        check_path(path)
        return f"{self.prefix}/{path}" if self.prefix else path

    def _get(self, path: str) -> Blob | None:
        return self.bucket.get_blob(self.name(path))

    def read(self, path: str) -> bytes | None:
        not_found, _ = _errors()
        try:
            data: bytes = self.bucket.blob(self.name(path)).download_as_bytes()
        except not_found:
            return None
        return data

    def write(self, path: str, data: bytes) -> None:
        self.bucket.blob(self.name(path)).upload_from_string(
            data, content_type="application/octet-stream"
        )

    def open(self, path: str) -> tuple[bytes | IO[bytes], int] | None:
        blob = self._get(path)
        if blob is None:
            return None
        size = int(blob.size or 0)
        if size <= _READ_WHOLE:
            not_found, _ = _errors()
            try:
                # The blob carries the generation read above: a newer one is not mixed in.
                data: bytes = blob.download_as_bytes()
            except not_found:
                return None
            return data, len(data)
        return blob.open("rb", chunk_size=UPLOAD_CHUNK), size

    def size(self, path: str) -> int | None:
        blob = self._get(path)
        return None if blob is None else int(blob.size or 0)

    def mtime(self, path: str) -> float | None:
        blob = self._get(path)
        if blob is None or blob.updated is None:
            return None
        return float(blob.updated.timestamp())

    def stat(self, path: str) -> tuple[int, float] | None:
        blob = self._get(path)
        if blob is None:
            return None
        updated = blob.updated.timestamp() if blob.updated is not None else 0.0
        return int(blob.size or 0), float(updated)

    def _names_under(self, path: str) -> Iterator[str]:
        prefix = self.name(path) + "/"
        for blob in self.bucket.client.list_blobs(self.bucket_name, prefix=prefix):
            yield str(blob.name)

    def list(self, path: str) -> list[str]:
        prefix = self.name(path) + "/"
        iterator = self.bucket.client.list_blobs(self.bucket_name, prefix=prefix, delimiter="/")
        names = {str(blob.name)[len(prefix) :] for blob in iterator}
        names.update(str(sub)[len(prefix) :].rstrip("/") for sub in iterator.prefixes)
        return sorted(name for name in names if name and not name.startswith(_PART_PREFIX))

    def delete(self, path: str) -> bool:
        not_found, _ = _errors()
        bucket = self.bucket
        deleted = False
        try:
            bucket.blob(self.name(path)).delete()
            deleted = True
        except not_found:
            pass
        for name in list(self._names_under(path)):
            try:
                bucket.blob(name).delete()
                deleted = True
            except not_found:
                pass
        return deleted

    def move(self, source: str, target: str) -> None:
        bucket = self.bucket
        source_blob = bucket.blob(self.name(source))
        target_blob = bucket.blob(self.name(target))
        # A rewrite inside one bucket copies no bytes; large ones take several calls.
        token, _, _ = target_blob.rewrite(source_blob)
        while token is not None:
            token, _, _ = target_blob.rewrite(source_blob, token=token)
        source_blob.delete()

    def append(self, path: str, chunks: Iterable[bytes], offset: int) -> int:
        not_found, precondition_failed = _errors()
        bucket = self.bucket
        current = self._get(path)
        if current is None:
            raise OffsetMismatch(-1)
        if int(current.size or 0) != offset:
            raise OffsetMismatch(int(current.size or 0))
        if offset == 0:
            # Nothing to keep: the bytes go straight to the (empty) object.
            target = bucket.blob(self.name(path))
            try:
                written = _upload(target, chunks, current.generation)
            except precondition_failed:
                size = self.size(path)
                raise OffsetMismatch(-1 if size is None else size) from None
            return written
        parent, _, _ = self.name(path).rpartition("/")
        part = bucket.blob(f"{parent}/{_PART_PREFIX}{uuid.uuid4().hex}")
        written = _upload(part, chunks, 0)
        if written == 0:
            part.delete()
            return offset
        try:
            bucket.blob(self.name(path)).compose(
                [current, part], if_generation_match=current.generation
            )
        except (precondition_failed, not_found):
            size = self.size(path)
            raise OffsetMismatch(-1 if size is None else size) from None
        finally:
            with contextlib.suppress(not_found):
                part.delete()
        return offset + written


def _upload(blob: Blob, chunks: Iterable[bytes], generation: int | None) -> int:
    """Write every chunk to ``blob`` if its generation is ``generation`` (0: absent);
    return the byte count. Nothing is written when ``chunks`` raises."""
    buffer = bytearray()
    iterator = iter(chunks)
    for chunk in iterator:
        buffer += chunk
        if len(buffer) > UPLOAD_CHUNK:
            break
    else:
        blob.upload_from_string(
            bytes(buffer),
            content_type="application/octet-stream",
            if_generation_match=generation,
        )
        return len(buffer)
    # Larger than one chunk: a resumable upload, finalised only once every chunk
    # arrived (an exception before then abandons the session, and GCS drops it).
    writer = blob.open(
        "wb",
        chunk_size=UPLOAD_CHUNK,
        ignore_flush=True,
        content_type="application/octet-stream",
        if_generation_match=generation,
    )
    total = len(buffer)
    try:
        writer.write(bytes(buffer))
        del buffer
        for chunk in iterator:
            writer.write(chunk)
            total += len(chunk)
    except BaseException:
        # Cancel the session: closing the writer (even by garbage collection) would
        # store the bytes received so far as if they were all.
        with contextlib.suppress(Exception):
            writer.terminate()
        raise
    writer.close()
    return total
