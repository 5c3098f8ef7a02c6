"""Upload sessions, kept in the storage: any instance on the same storage can take
the next request of an upload another one started.

The bytes are hashed as they arrive; the hash state stays in the memory of the
process that received the bytes, and a process that finishes an upload whose
earlier chunks another instance received hashes the stored bytes again. A blob
exists only once the client's digest matches; anything else leaves no trace.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from containerregistry.registry._driver import OffsetMismatch
from containerregistry.registry._errors import RegistryError
from containerregistry.registry._storage import UploadUnknown

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from containerregistry.registry._storage import Storage

_log = logging.getLogger("containerregistry.registry")
_log.addHandler(logging.NullHandler())

#: An upload that received no byte for this long is abandoned and discarded
#: (seconds). Docker's and crane's pushes touch an upload at least every few seconds;
#: Distribution's ``storage.maintenance.uploadpurging.age`` is a week, counted from
#: the upload's start.
DEFAULT_PURGING_AGE = 15 * 60.0
#: Seconds between two sweeps of one process for abandoned uploads (Distribution's
#: ``uploadpurging.interval``, there a day).
DEFAULT_PURGING_INTERVAL = 60.0
#: Hash states kept for uploads in progress (the oldest are dropped, then recomputed).
_HASHERS_KEPT = 256
_ID_CHARACTERS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")


class UploadSession:
    """Upload ``id`` in ``repository``, with ``size`` bytes received when it was read."""

    def __init__(self, uploads: Uploads, upload_id: str, repository: str, size: int) -> None:
        self._uploads = uploads
        self.id = upload_id
        self.repository = repository
        self.size = size

    def append(self, chunks: Iterable[bytes]) -> None:
        """Write (and hash) every chunk at the end of the upload."""
        self._uploads.append(self, chunks)


def _hashing(chunks: Iterable[bytes], hasher: Any) -> Iterator[bytes]:
    for chunk in chunks:
        hasher.update(chunk)
        yield chunk


class Uploads:
    """The uploads of one registry; their state is in ``storage``."""

    def __init__(
        self,
        storage: Storage,
        *,
        purging_age: float = DEFAULT_PURGING_AGE,
        purging_interval: float = DEFAULT_PURGING_INTERVAL,
    ) -> None:
        self._storage = storage
        self.purging_age = purging_age
        self.purging_interval = purging_interval
        self._lock = threading.Lock()
        self._hashers: collections.OrderedDict[str, tuple[int, Any]] = collections.OrderedDict()
        self._last_purge: float | None = None
        self._purging = False
        self.max_size: int | None = None

    def start(self, repository: str) -> UploadSession:
        """Open a new session."""
        upload_id = self._storage.start_upload(repository)
        return UploadSession(self, upload_id, repository, 0)

    def get(self, repository: str, upload_id: str) -> UploadSession:
        """The session ``upload_id`` of ``repository``; BLOB_UPLOAD_UNKNOWN otherwise,
        also when it received no byte for longer than the purging age (it is then
        discarded, whichever instance started it)."""
        state = None
        if _valid_id(upload_id):
            state = self._storage.upload_state(repository, upload_id)
        if state is None:
            raise self._unknown(repository, upload_id)
        size, touched = state
        session = UploadSession(self, upload_id, repository, size)
        if touched < time.time() - self.purging_age:
            self.discard(session)
            raise self._unknown(repository, upload_id)
        return session

    @staticmethod
    def _unknown(repository: str, upload_id: str) -> RegistryError:
        return RegistryError(
            "BLOB_UPLOAD_UNKNOWN",
            f"upload {upload_id} is not in progress in repository {repository}; it may "
            "have finished, failed, been cancelled or been idle too long: start a new one "
            "with POST",
            detail={"uuid": upload_id},
        )

    def append(self, session: UploadSession, chunks: Iterable[bytes]) -> None:
        """Append to ``session`` at its size; 416 RANGE_INVALID when another request got
        there first (``session.size`` is then the upload's size)."""
        with self._lock:
            kept = self._hashers.pop(session.id, None)
        hasher = kept[1] if kept is not None and kept[0] == session.size else None
        if hasher is None and session.size == 0:
            hasher = hashlib.sha256()
        body = chunks if hasher is None else _hashing(chunks, hasher)
        if self.max_size is not None:
            body = _limited(body, self.max_size - session.size)
        try:
            size = self._storage.append_upload(session.repository, session.id, body, session.size)
        except UploadUnknown:
            raise self._unknown(session.repository, session.id) from None
        except OffsetMismatch as exc:
            expected, session.size = session.size, exc.size  # where it stands now
            raise RegistryError(
                "RANGE_INVALID",
                f"upload {session.id} has {exc.size} bytes, not {expected}: another "
                f"request wrote to it; send the chunk starting at byte {exc.size}",
                status=416,
            ) from None
        session.size = size
        if hasher is not None:
            with self._lock:
                self._hashers[session.id] = (size, hasher)
                while len(self._hashers) > _HASHERS_KEPT:
                    self._hashers.popitem(last=False)

    def discard(self, session: UploadSession) -> None:
        """Forget ``session`` and everything it received."""
        with self._lock:
            self._hashers.pop(session.id, None)
        self._storage.delete_upload(session.repository, session.id)

    def digest(self, session: UploadSession) -> str:
        """``sha256:<hex>`` of everything ``session`` received."""
        with self._lock:
            kept = self._hashers.get(session.id)
        if kept is not None and kept[0] == session.size:
            return "sha256:" + str(kept[1].hexdigest())
        if session.size == 0:
            return "sha256:" + hashlib.sha256().hexdigest()
        hasher = hashlib.sha256()
        for chunk in self._storage.read_upload(session.repository, session.id):
            hasher.update(chunk)
        return "sha256:" + hasher.hexdigest()

    def finish(self, session: UploadSession, expected: str) -> None:
        """Store the session's bytes as blob ``expected`` if they hash to it.

        On a mismatch the session is discarded and DIGEST_INVALID raised.
        """
        actual = self.digest(session)
        if actual != expected:
            self.discard(session)
            raise RegistryError(
                "DIGEST_INVALID",
                f"the uploaded content has digest {actual}, not {expected}; the upload is "
                "discarded, push the blob again",
                detail={"expected": expected, "actual": actual},
            )
        with self._lock:
            self._hashers.pop(session.id, None)
        self._storage.commit_upload(session.repository, session.id, expected)

    def purge(self) -> list[tuple[str, str]]:
        """Discard every upload (of any instance on the storage) that received no
        byte for longer than the purging age; return their ``(repository, id)``."""
        deadline = time.time() - self.purging_age
        purged = []
        for repository, upload_id in list(self._storage.uploads()):
            state = self._storage.upload_state(repository, upload_id)
            if state is not None and state[1] < deadline:
                self.discard(UploadSession(self, upload_id, repository, 0))
                purged.append((repository, upload_id))
        return purged

    def purge_soon(self) -> bool:
        """Start :meth:`purge` in a background thread if this process's last one
        began at least the purging interval ago and none runs; True if it started.

        Called on requests, so any instance that serves purges the shared storage
        and no request waits for the sweep.
        """
        now = time.monotonic()
        with self._lock:
            if self._purging:
                return False
            if self._last_purge is not None and now - self._last_purge < self.purging_interval:
                return False
            self._purging = True
            self._last_purge = now
        threading.Thread(target=self._purge_in_background, name="upload-purge", daemon=True).start()
        return True

    def _purge_in_background(self) -> None:
        try:
            purged = self.purge()
            if purged:
                _log.info("discarded %d abandoned uploads", len(purged))
        except Exception:
            _log.exception("purging abandoned uploads failed; it runs again after the interval")
        finally:
            with self._lock:
                self._purging = False

    def __len__(self) -> int:
        return sum(1 for _ in self._storage.uploads())


def _valid_id(upload_id: str) -> bool:
    return 0 < len(upload_id) <= 64 and all(c in _ID_CHARACTERS for c in upload_id)


def _limited(chunks: Iterable[bytes], room: int) -> Iterator[bytes]:
    for chunk in chunks:
        room -= len(chunk)
        if room < 0:
            raise RegistryError(
                "SIZE_INVALID",
                "the upload is larger than this registry's upload size limit; the upload "
                "is discarded",
                status=413,
            )
        yield chunk
