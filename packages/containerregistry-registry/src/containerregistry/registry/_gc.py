"""Mark and sweep over a storage, as Distribution's ``registry garbage-collect``.

Mark: every manifest of every repository (with ``delete_untagged``, only the
tagged ones, the children of kept indexes and the referrers of kept manifests)
keeps itself, its config and layers. Sweep: every blob nothing keeps is removed.
Run it while no registry writes to the storage (``crane registry serve
--read-only``): a blob pushed during the sweep may be taken for garbage.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from containerregistry.registry._storage import ManifestRecord, Storage


@dataclasses.dataclass
class GcReport:
    """What a collection removed (or, in a dry run, would remove)."""

    manifests: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    blobs: list[str] = dataclasses.field(default_factory=list)
    bytes_freed: int = 0


def _children(record: ManifestRecord) -> list[str]:
    try:
        document = json.loads(record.data)
    except ValueError:
        return []
    children = document.get("manifests") if isinstance(document, dict) else None
    if not isinstance(children, list):
        return []
    return [str(c["digest"]) for c in children if isinstance(c, dict) and "digest" in c]


def collect_garbage(
    storage: Storage,
    *,
    dry_run: bool = False,
    delete_untagged: bool = False,
    log: Callable[[str], None] | None = None,
) -> GcReport:
    """Remove what nothing refers to; return what went (or would go, with ``dry_run``).

    Defaults: ``dry_run`` False (remove), ``delete_untagged`` False (every manifest
    counts, tagged or not), ``log`` None (quiet; else called with one line per item).
    """
    from containerregistry.registry._manifests import referenced_blobs

    say = log or (lambda line: None)
    report = GcReport()
    marked: set[str] = set()
    for repository in storage.repositories():
        records = {record.digest: record for record in storage.manifests(repository)}
        keep = set(records)
        if delete_untagged:
            keep = set((storage.tags(repository) or {}).values()) & set(records)
            pending = list(keep)
            while pending:  # children of kept indexes, referrers of kept manifests
                digest = pending.pop()
                found = _children(records[digest]) + [
                    r.digest for r in records.values() if r.subject == digest
                ]
                for child in found:
                    if child in records and child not in keep:
                        keep.add(child)
                        pending.append(child)
        for digest, record in sorted(records.items()):
            if digest not in keep:
                report.manifests.append((repository, digest))
                say(f"{repository}: delete manifest {digest}")
                if not dry_run:
                    storage.delete_manifest(repository, digest)
                continue
            marked.add(digest)
            marked.update(referenced_blobs(record))
    for digest in sorted(storage.blob_digests()):
        if digest in marked:
            continue
        size = storage.driver.size(storage.blob_data_path(digest)) or 0
        report.blobs.append(digest)
        report.bytes_freed += size
        say(f"delete blob {digest} ({size} bytes)")
        if not dry_run:
            storage.driver.delete(storage.blob_data_path(digest).rpartition("/")[0])
    return report
