"""Storage drivers: a small file system interface under one root, as Distribution's.

Paths are relative POSIX strings (``docker/registry/v2/blobs/...``) that the
storage builds; every driver checks them again, so no name or reference can reach
outside the root whatever the layers above let through: an empty, ``.``, ``..``
or NUL-bearing component is refused.
"""

from __future__ import annotations

import fcntl
import os
import pathlib
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from stat import S_ISDIR
from typing import IO, Protocol

from containerregistry.registry._errors import RegistryError


class OffsetMismatch(Exception):
    """An append found the file at ``size`` bytes, not at the offset it expected."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the upload has {size} bytes")
        self.size = size


def check_path(path: str) -> list[str]:
    """The components of a storage path; a component that could escape is refused."""
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or "\x00" in part or "\\" in part:
            raise RegistryError(
                "NAME_INVALID",
                f"the storage path {path!r} has a component that is not a plain name",
            )
    return parts


class Driver(Protocol):
    """Files under one root. Every method is safe to call from many threads and, for
    the file system, from many processes on one directory."""

    def read(self, path: str) -> bytes | None:
        """The whole content of ``path``, or None when it does not exist."""

    def write(self, path: str, data: bytes) -> None:
        """Replace ``path`` with ``data`` atomically (readers see old or new)."""

    def open(self, path: str) -> tuple[bytes | IO[bytes], int] | None:
        """The content of ``path`` (bytes or an open binary file) and its size."""

    def size(self, path: str) -> int | None:
        """The size of file ``path``, or None when it does not exist."""

    def mtime(self, path: str) -> float | None:
        """Seconds since the epoch of the last change of ``path``, or None."""

    def stat(self, path: str) -> tuple[int, float] | None:
        """The size and the mtime of file ``path`` in one look, or None when it is
        missing."""

    def list(self, path: str) -> list[str]:
        """The names directly under directory ``path`` (empty when it is missing)."""

    def delete(self, path: str) -> bool:
        """Remove a file or a whole directory tree; False when nothing was there."""

    def move(self, source: str, target: str) -> None:
        """Rename file ``source`` to ``target`` atomically, replacing ``target``."""

    def append(self, path: str, chunks: Iterable[bytes], offset: int) -> int:
        """Append ``chunks`` to ``path`` if it holds exactly ``offset`` bytes (else
        :class:`OffsetMismatch`); return the new size. A failure part-way leaves
        the file at ``offset`` bytes."""


def _fsync_directory(path: pathlib.Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FilesystemDriver:
    """Files in a directory; every write is crash-safe (temporary name, fsync, rename)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = pathlib.Path(root)

    def path(self, path: str) -> pathlib.Path:
        """The local path of storage path ``path`` (checked)."""
        return self.root.joinpath(*check_path(path))

    def read(self, path: str) -> bytes | None:
        try:
            return self.path(path).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def write(self, path: str, data: bytes) -> None:
        target = self.path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            pathlib.Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_directory(target.parent)

    def open(self, path: str) -> tuple[bytes | IO[bytes], int] | None:
        try:
            file = self.path(path).open("rb")
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
        return file, os.fstat(file.fileno()).st_size

    def size(self, path: str) -> int | None:
        try:
            stat = self.path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return None if os.path.isdir(self.path(path)) else stat.st_size

    def mtime(self, path: str) -> float | None:
        try:
            return self.path(path).stat().st_mtime
        except (FileNotFoundError, NotADirectoryError):
            return None

    def stat(self, path: str) -> tuple[int, float] | None:
        try:
            found = self.path(path).stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        if S_ISDIR(found.st_mode):
            return None
        return found.st_size, found.st_mtime

    def list(self, path: str) -> list[str]:
        try:
            return sorted(
                entry.name
                for entry in os.scandir(self.path(path))
                if not entry.name.startswith(".tmp-")
            )
        except (FileNotFoundError, NotADirectoryError):
            return []

    def delete(self, path: str) -> bool:
        target = self.path(path)
        if target.is_dir() and not target.is_symlink():
            # Rename first, so nobody sees a half-deleted tree, then remove.
            doomed = target.with_name(f".tmp-deleted-{os.getpid()}-{threading.get_ident()}")
            try:
                os.replace(target, doomed)
            except FileNotFoundError:
                return False
            _remove_tree(doomed)
            return True
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        return True

    def move(self, source: str, target: str) -> None:
        source_path, target_path = self.path(source), self.path(target)
        with source_path.open("rb") as file:
            os.fsync(file.fileno())
        target_path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source_path, target_path)
        _fsync_directory(target_path.parent)

    def append(self, path: str, chunks: Iterable[bytes], offset: int) -> int:
        target = self.path(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)
        except FileNotFoundError:
            raise OffsetMismatch(-1) from None
        try:
            # Another request, in this process or another one, may append to the same
            # upload: the lock and the size check keep their bytes from interleaving.
            fcntl.flock(fd, fcntl.LOCK_EX)
            size = os.fstat(fd).st_size
            if size != offset:
                raise OffsetMismatch(size)
            try:
                for chunk in chunks:
                    view = memoryview(chunk)
                    while view:
                        written = os.write(fd, view)
                        view = view[written:]
                    size += len(chunk)
            except BaseException:
                os.ftruncate(fd, offset)
                raise
            return size
        finally:
            os.close(fd)  # also releases the lock


def _remove_tree(path: pathlib.Path) -> None:
    for entry in sorted(path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if entry.is_dir() and not entry.is_symlink():
            entry.rmdir()
        else:
            entry.unlink(missing_ok=True)
    path.rmdir()


class MemoryDriver:
    """Files in this process's memory, for tests and throwaway registries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, bytes | bytearray] = {}
        self._times: dict[str, float] = {}

    def read(self, path: str) -> bytes | None:
        check_path(path)
        data = self._files.get(path)
        return None if data is None else bytes(data)

    def write(self, path: str, data: bytes) -> None:
        check_path(path)
        with self._lock:
            self._files[path] = bytes(data)
            self._times[path] = time.time()

    def open(self, path: str) -> tuple[bytes | IO[bytes], int] | None:
        data = self.read(path)
        return None if data is None else (data, len(data))

    def size(self, path: str) -> int | None:
        check_path(path)
        data = self._files.get(path)
        return None if data is None else len(data)

    def mtime(self, path: str) -> float | None:
        check_path(path)
        return self._times.get(path)

    def stat(self, path: str) -> tuple[int, float] | None:
        check_path(path)
        with self._lock:
            data = self._files.get(path)
            if data is None:
                return None
            return len(data), self._times.get(path, 0.0)

    def _under(self, path: str) -> Iterator[str]:
        prefix = path + "/"
        return (name for name in list(self._files) if name.startswith(prefix))

    def list(self, path: str) -> list[str]:
        check_path(path)
        start = len(path) + 1
        with self._lock:
            return sorted({name[start:].split("/", 1)[0] for name in self._under(path)})

    def delete(self, path: str) -> bool:
        check_path(path)
        with self._lock:
            doomed = [path] if path in self._files else list(self._under(path))
            for name in doomed:
                self._files.pop(name, None)
                self._times.pop(name, None)
            return bool(doomed)

    def move(self, source: str, target: str) -> None:
        check_path(source)
        check_path(target)
        with self._lock:
            self._files[target] = bytes(self._files.pop(source))
            self._times[target] = self._times.pop(source, time.time())

    def append(self, path: str, chunks: Iterable[bytes], offset: int) -> int:
        check_path(path)
        received = b"".join(chunks)  # read the body before taking the lock
        with self._lock:
            data = self._files.get(path)
            if not isinstance(data, bytearray):
                if data is None:
                    raise OffsetMismatch(-1)
                data = bytearray(data)
                self._files[path] = data
            if len(data) != offset:
                raise OffsetMismatch(len(data))
            data += received
            self._times[path] = time.time()
            return len(data)
