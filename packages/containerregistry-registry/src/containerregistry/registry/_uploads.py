"""Upload sessions: bytes arrive in order, are hashed as they come, and become a blob
only when the client's digest matches. Anything else leaves no trace."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from typing import TYPE_CHECKING

from containerregistry.registry._errors import RegistryError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from containerregistry.registry._storage import BlobWriter, Storage

#: An upload nobody touched for this long is abandoned and discarded (seconds).
#: Docker's and crane's pushes touch an upload at least every few seconds.
DEFAULT_IDLE_TIMEOUT = 15 * 60


class UploadSession:
    """One upload in progress in ``repository``; ``size`` bytes received so far."""

    def __init__(self, upload_id: str, repository: str, writer: BlobWriter) -> None:
        self.id = upload_id
        self.repository = repository
        self.writer = writer
        self.size = 0
        self.touched = time.monotonic()
        # Held while a request appends, so two PATCHes cannot interleave their bytes.
        self.lock = threading.Lock()
        self._hasher = hashlib.sha256()

    def append(self, chunks: Iterable[bytes]) -> None:
        """Write and hash every chunk."""
        try:
            for chunk in chunks:
                self._hasher.update(chunk)
                self.writer.write(chunk)
                self.size += len(chunk)
                self.touched = time.monotonic()
        finally:
            self.writer.release()

    def digest(self) -> str:
        """``sha256:<hex>`` of everything received."""
        return "sha256:" + self._hasher.hexdigest()


class Uploads:
    """The sessions of one registry, keyed by their random id."""

    def __init__(self, storage: Storage, *, idle_timeout: float = DEFAULT_IDLE_TIMEOUT) -> None:
        self._storage = storage
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._sessions: dict[str, UploadSession] = {}

    def start(self, repository: str) -> UploadSession:
        """Open a new session (and discard the abandoned ones)."""
        self.reap()
        session = UploadSession(secrets.token_hex(16), repository, self._storage.new_blob_writer())
        with self._lock:
            self._sessions[session.id] = session
        return session

    def get(self, repository: str, upload_id: str) -> UploadSession:
        """The session ``upload_id`` of ``repository``; BLOB_UPLOAD_UNKNOWN otherwise."""
        with self._lock:
            session = self._sessions.get(upload_id)
        if session is None or session.repository != repository:
            raise RegistryError(
                "BLOB_UPLOAD_UNKNOWN",
                f"upload {upload_id} is not in progress in repository {repository}; it may "
                "have finished, failed or been cancelled: start a new one with POST",
                detail={"uuid": upload_id},
            )
        return session

    def discard(self, session: UploadSession) -> None:
        """Forget ``session`` and everything it received."""
        with self._lock:
            self._sessions.pop(session.id, None)
        session.writer.abort()

    def finish(self, session: UploadSession, expected: str) -> None:
        """Store the session's bytes as blob ``expected`` if they hash to it.

        On a mismatch the session is discarded and DIGEST_INVALID raised.
        """
        actual = session.digest()
        with self._lock:
            self._sessions.pop(session.id, None)
        if actual != expected:
            session.writer.abort()
            raise RegistryError(
                "DIGEST_INVALID",
                f"the uploaded content has digest {actual}, not {expected}; the upload is "
                "discarded, push the blob again",
                detail={"expected": expected, "actual": actual},
            )
        session.writer.commit(expected)

    def reap(self) -> None:
        """Discard every session idle for longer than the timeout."""
        deadline = time.monotonic() - self._idle_timeout
        with self._lock:
            stale = [
                s for s in self._sessions.values() if s.touched < deadline and not s.lock.locked()
            ]
            for session in stale:
                del self._sessions[session.id]
        for session in stale:
            session.writer.abort()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
