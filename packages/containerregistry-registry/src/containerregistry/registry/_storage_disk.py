"""Storage on disk: survives a restart, and every write is crash-safe.

Layout under the root directory::

    blobs/sha256/<hex>                               blob bytes
    uploads/<random>                                 uploads in progress (wiped at start)
    repositories/<repo>/_manifests/sha256/<hex>      manifest bytes
    repositories/<repo>/_manifests/sha256/<hex>.meta {"mediaType", "uploadedMs", "createdMs"}
    repositories/<repo>/_tags/<tag>                  the digest the tag points at

Every file is written to a temporary name, fsynced and renamed into place, and the
directory is fsynced, so a crash leaves either the old state or the new one. A
manifest counts only once its ``.meta`` exists; the meta is written after the bytes.
Manifests are small, so they are also kept in memory, which makes HEADs cheap.
Repository path components cannot start with ``_``, so ``_manifests`` and ``_tags``
never collide with a nested repository.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile
from typing import IO, TYPE_CHECKING

from containerregistry.registry._manifests import build_record
from containerregistry.registry._storage import ManifestIndex, ManifestRecord

if TYPE_CHECKING:
    from containerregistry.registry._storage import BlobWriter, Storage


def _fsync_directory(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomically(path: pathlib.Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        pathlib.Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


class _DiskBlobWriter:
    def __init__(self, storage: DiskStorage) -> None:
        self._storage = storage
        fd, name = tempfile.mkstemp(dir=storage.root / "uploads", prefix="upload-")
        os.close(fd)
        self._path = pathlib.Path(name)
        # Opened for the length of a request only, so idle uploads hold no descriptor.
        self._file: IO[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._file is None:
            self._file = self._path.open("ab", buffering=0)
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written or 0 :]

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def commit(self, digest: str) -> None:
        self.release()
        with self._path.open("ab") as file:
            os.fsync(file.fileno())
        target = self._storage.blob_path(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self._path, target)
        _fsync_directory(target.parent)

    def abort(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._path.unlink(missing_ok=True)


class DiskStorage(ManifestIndex):
    """Blobs, manifests and tags in files under ``root`` (created if missing)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        super().__init__()
        self.root = pathlib.Path(root)
        (self.root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
        # Uploads left by a previous process were abandoned: they must not survive.
        shutil.rmtree(self.root / "uploads", ignore_errors=True)
        (self.root / "uploads").mkdir()
        (self.root / "repositories").mkdir(exist_ok=True)
        self._load()

    def blob_path(self, digest: str) -> pathlib.Path:
        """Where blob ``digest`` lives (``<root>/blobs/<algorithm>/<hex>``)."""
        algorithm, _, hex_part = digest.partition(":")
        return self.root / "blobs" / algorithm / hex_part

    def _manifest_path(self, repository: str, digest: str) -> pathlib.Path:
        algorithm, _, hex_part = digest.partition(":")
        return self.root / "repositories" / repository / "_manifests" / algorithm / hex_part

    def _tag_path(self, repository: str, tag: str) -> pathlib.Path:
        return self.root / "repositories" / repository / "_tags" / tag

    def _load(self) -> None:
        base = self.root / "repositories"
        for manifests_dir in sorted(base.rglob("_manifests")):
            repository = manifests_dir.parent.relative_to(base).as_posix()
            records: dict[str, ManifestRecord] = {}
            for meta_path in sorted(manifests_dir.glob("*/*.meta")):
                data_path = meta_path.with_suffix("")
                digest = f"{data_path.parent.name}:{data_path.name}"
                try:
                    meta = json.loads(meta_path.read_bytes())
                    data = data_path.read_bytes()
                except (OSError, ValueError):
                    continue  # a half-written manifest from a crash: not committed
                records[digest] = build_record(
                    digest,
                    meta["mediaType"],
                    data,
                    uploaded_ms=int(meta.get("uploadedMs", 0)),
                    created_ms=int(meta.get("createdMs", 0)),
                )
            tags_dir = manifests_dir.parent / "_tags"
            for record in records.values():
                super().put_manifest(repository, record, [])
            if tags_dir.is_dir():
                for tag_path in sorted(tags_dir.iterdir()):
                    if tag_path.name.startswith(".tmp-"):
                        continue
                    digest = tag_path.read_text().strip()
                    if digest in records:
                        super().put_manifest(repository, records[digest], [tag_path.name])

    def blob_size(self, digest: str) -> int | None:
        try:
            return self.blob_path(digest).stat().st_size
        except OSError:
            return None

    def open_blob(self, digest: str) -> tuple[bytes | IO[bytes], int] | None:
        try:
            file = self.blob_path(digest).open("rb")
        except OSError:
            return None
        return file, os.fstat(file.fileno()).st_size

    def delete_blob(self, digest: str) -> bool:
        try:
            self.blob_path(digest).unlink()
        except FileNotFoundError:
            return False
        return True

    def new_blob_writer(self) -> BlobWriter:
        return _DiskBlobWriter(self)

    def put_manifest(self, repository: str, record: ManifestRecord, tags: list[str]) -> None:
        path = self._manifest_path(repository, record.digest)
        _write_atomically(path, record.data)
        meta = {
            "mediaType": record.media_type,
            "uploadedMs": record.uploaded_ms,
            "createdMs": record.created_ms,
        }
        _write_atomically(path.with_name(path.name + ".meta"), json.dumps(meta).encode())
        for tag in tags:
            _write_atomically(self._tag_path(repository, tag), record.digest.encode())
        super().put_manifest(repository, record, tags)

    def delete_manifest(self, repository: str, digest: str) -> bool:
        tags = self.tags(repository) or {}
        if not super().delete_manifest(repository, digest):
            return False
        for tag, target in tags.items():
            if target == digest:
                self._tag_path(repository, tag).unlink(missing_ok=True)
        path = self._manifest_path(repository, digest)
        # The meta goes first: without it the bytes no longer count as a manifest.
        path.with_name(path.name + ".meta").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return True

    def delete_tag(self, repository: str, tag: str) -> bool:
        if not super().delete_tag(repository, tag):
            return False
        self._tag_path(repository, tag).unlink(missing_ok=True)
        return True


if TYPE_CHECKING:
    _check: Storage = DiskStorage("")
    _check_writer: BlobWriter = _DiskBlobWriter(DiskStorage(""))
