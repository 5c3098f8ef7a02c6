"""Storage on disk in Distribution's layout: ``registry:2`` can serve the same directory.

``DiskStorage(root)`` keeps everything under ``<root>/docker/registry/v2`` (see
:mod:`containerregistry.registry._storage`), exactly where ``registry:2`` with
``rootdirectory: <root>`` keeps it. Every file is written to a temporary name,
fsynced and renamed into place, so a crash leaves the old state or the new one.

A directory in this package's earlier layout (``blobs/sha256/<hex>``,
``repositories/<repo>/_manifests/sha256/<hex>`` with a ``.meta``,
``repositories/<repo>/_tags/<tag>``) is migrated once, at start: blobs are hard
linked (or copied) into place, every manifest and tag written anew, and only when
all of it is stored are the old files removed. A crash part-way repeats the
migration at the next start; nothing is lost.
"""

from __future__ import annotations

import json
import logging
import os
import pathlib
import shutil

from containerregistry.registry._driver import FilesystemDriver
from containerregistry.registry._storage import ManifestRecord, Storage

_log = logging.getLogger("containerregistry.registry")
_log.addHandler(logging.NullHandler())
_MIGRATED = ".migrated-from-v0"


class DiskStorage(Storage):
    """Blobs, manifests, tags and uploads under ``root`` (created if missing)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = pathlib.Path(root)
        super().__init__(FilesystemDriver(self.root))
        (self.root / "docker" / "registry" / "v2").mkdir(parents=True, exist_ok=True)
        if needs_migration(self.root):
            migrate(self)

    def blob_path(self, digest: str) -> pathlib.Path:
        """Where the bytes of blob ``digest`` live."""
        return self.root / self.blob_data_path(digest)


def needs_migration(root: pathlib.Path) -> bool:
    """True when ``root`` holds files in the earlier layout."""
    return (
        (root / "blobs").is_dir() or (root / "repositories").is_dir() or (root / _MIGRATED).exists()
    )


def migrate(storage: DiskStorage) -> int:
    """Move a directory in the earlier layout into Distribution's; return the number of
    manifests moved. Safe to repeat after a crash."""
    from containerregistry.registry._manifests import build_record, referenced_blobs

    root = storage.root
    marker = root / _MIGRATED
    moved = 0
    if not marker.exists():
        old_blobs = root / "blobs"
        for path in sorted(old_blobs.glob("*/*")) if old_blobs.is_dir() else []:
            if path.name.startswith(".tmp-"):
                continue
            target = storage.blob_path(f"{path.parent.name}:{path.name}")
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(".tmp-migrate")
            try:
                os.link(path, temporary)
            except OSError:
                shutil.copyfile(path, temporary)
            os.replace(temporary, target)
        base = root / "repositories"
        for manifests_dir in sorted(base.rglob("_manifests")) if base.is_dir() else []:
            repository = manifests_dir.parent.relative_to(base).as_posix()
            records: dict[str, ManifestRecord] = {}
            for meta_path in sorted(manifests_dir.glob("*/*.meta")):
                data_path = meta_path.with_suffix("")
                digest = f"{data_path.parent.name}:{data_path.name}"
                try:
                    meta = json.loads(meta_path.read_bytes())
                    data = data_path.read_bytes()
                except (OSError, ValueError):
                    continue  # never committed: a crash between the bytes and the meta
                records[digest] = build_record(digest, str(meta["mediaType"]), data, uploaded_ms=0)
            for record in records.values():
                for blob in referenced_blobs(record):
                    if storage.driver.size(storage.blob_data_path(blob)) is not None:
                        storage.driver.write(storage._layer_link(repository, blob), blob.encode())
                storage.put_manifest(repository, record, [])
                moved += 1
            tags_dir = manifests_dir.parent / "_tags"
            for tag_path in sorted(tags_dir.iterdir()) if tags_dir.is_dir() else []:
                if tag_path.name.startswith(".tmp-"):
                    continue
                digest = tag_path.read_text().strip()
                if digest in records:
                    storage.put_manifest(repository, records[digest], [tag_path.name])
        marker.write_text("the earlier layout is copied; its files are being removed\n")
    for old in ("blobs", "uploads", "repositories"):
        shutil.rmtree(root / old, ignore_errors=True)
    marker.unlink(missing_ok=True)
    _log.info("migrated %s to Distribution's layout (%d manifests)", root, moved)
    return moved
