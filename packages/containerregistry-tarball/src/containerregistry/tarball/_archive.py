"""Random access to the entries of a tar file, with links resolved safely.

The archive is scanned once (headers only, seeking over the data when the source
can seek) into an index of entries; opening an entry then seeks straight to its
data. Sources that cannot seek are read again from the start for each entry.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import tarfile
import threading
from collections.abc import Callable
from typing import BinaryIO, cast

from containerregistry.tarball._errors import InvalidTarballError

#: Opens the tarball from its start; called once per entry read (as ggcr's Opener).
Opener = Callable[[], BinaryIO]

_BLOCK = 512
#: How many trailing bytes are checked for being end-of-archive zeros; real
#: writers pad to at most 10240 bytes, more than this is not a tar we wrote.
_MAX_TRAILER_CHECK = 1 << 20


@dataclasses.dataclass(frozen=True)
class Entry:
    """One member of the archive: its cleaned name, type, data offset and size."""

    name: str
    kind: str  # "file", "symlink", "hardlink" or "other"
    target: str
    offset: int
    size: int


def clean_name(name: str, *, source: str, what: str = "entry") -> str:
    """Return ``name`` cleaned (``./a//b`` is ``a/b``); refuse absolute or ``..`` names."""
    if name.startswith("/"):
        raise InvalidTarballError(
            f"{source}: {what} {name!r} is an absolute path; a tarball only refers to "
            "its own entries: the file is damaged or hostile, do not use it"
        )
    cleaned = posixpath.normpath(name) if name else name
    if cleaned == ".." or cleaned.startswith("../") or "/../" in f"/{name}/":
        raise InvalidTarballError(
            f"{source}: {what} {name!r} contains '..'; a tarball only refers to its own "
            "entries: the file is damaged or hostile, do not use it"
        )
    return cleaned


class _Bounded(io.RawIOBase):
    """The ``size`` bytes of one entry; a source that ends early is a truncated tarball."""

    def __init__(self, source: BinaryIO, size: int, *, label: str) -> None:
        super().__init__()
        self._source = source
        self._left = size
        self._label = label

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")
        if len(view) > self._left:
            view = view[: self._left]
        readinto = getattr(self._source, "readinto", None)
        if readinto is not None:
            count = int(readinto(view) or 0)
        else:
            chunk = self._source.read(len(view))
            count = len(chunk)
            view[:count] = chunk
        if count == 0 and len(view):
            raise InvalidTarballError(
                f"{self._label} ends {self._left} bytes early: the tarball is truncated; "
                "copy or download it again"
            )
        self._left -= count
        return count

    def close(self) -> None:
        if not self.closed:
            try:
                self._source.close()
            finally:
                super().close()


class _StreamedMember(io.RawIOBase):
    """An entry read from a non-seekable source through ``tarfile``'s stream mode."""

    def __init__(self, source: BinaryIO, archive: tarfile.TarFile, member: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self._archive = archive
        self._member = member

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        chunk = self._member.read(len(buffer))
        memoryview(buffer).cast("B")[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            try:
                self._archive.close()
                self._source.close()
            finally:
                super().close()


class TarArchive:
    """An index of a tarball's entries; :meth:`open` follows links inside the archive only."""

    def __init__(self, opener: Opener, *, source: str) -> None:
        self._opener = opener
        self.source = source
        self._entries: dict[str, Entry] | None = None
        self._seekable = False
        self._lock = threading.Lock()

    # -- scanning ---------------------------------------------------------

    def entries(self) -> dict[str, Entry]:
        """Return the entries by cleaned name (scanning the archive on first use)."""
        with self._lock:
            if self._entries is None:
                self._entries = self._scan()
            return self._entries

    def _scan(self) -> dict[str, Entry]:
        stream = self._opener()
        try:
            self._seekable = bool(getattr(stream, "seekable", lambda: False)())
            total = None
            if self._seekable:
                total = stream.seek(0, io.SEEK_END)
                stream.seek(0)
            mode = "r:" if self._seekable else "r|"
            entries: dict[str, Entry] = {}
            end = 0
            last = None
            try:
                with tarfile.open(fileobj=stream, mode=mode) as archive:  # type: ignore[call-overload]
                    for info in archive:
                        entry = self._entry(info)
                        entries[entry.name] = entry  # a later entry wins, as in tar
                        last = entry.name
                        end = info.offset_data + _round_up(info.size if info.isreg() else 0)
            except tarfile.TarError as exc:
                where = f" after entry {last!r}" if last else ""
                raise InvalidTarballError(
                    f"{self.source}: not a readable tar archive{where} ({exc}); the file is "
                    "truncated or corrupt: copy or download it again"
                ) from None
            if total is not None:
                self._check_end(stream, end, total, last)
            return entries
        finally:
            stream.close()

    def _entry(self, info: tarfile.TarInfo) -> Entry:
        name = clean_name(info.name, source=self.source)
        if info.issym():
            kind = "symlink"
        elif info.islnk():
            kind = "hardlink"
        elif info.isreg():
            kind = "file"
        else:
            kind = "other"
        return Entry(name, kind, info.linkname, info.offset_data, info.size)

    def _check_end(self, stream: BinaryIO, end: int, total: int, last: str | None) -> None:
        """Fail on data cut short or on a partial header after the last full entry."""
        label = f"entry {last!r}" if last else "the first entry"
        if total < end:
            raise InvalidTarballError(
                f"{self.source}: {label} ends {end - total} bytes past the end of the file: "
                "the tarball is truncated; copy or download it again"
            )
        rest = total - end
        if rest == 0:
            return
        stream.seek(end)
        trailer = stream.read(min(rest, _MAX_TRAILER_CHECK))
        if trailer.count(0) != len(trailer):
            raise InvalidTarballError(
                f"{self.source}: unreadable data after {label} (a truncated or corrupt "
                "header): the tarball is damaged; copy or download it again"
            )

    # -- opening ----------------------------------------------------------

    def resolve(self, name: str) -> Entry:
        """Return the regular-file entry ``name`` leads to, following links inside the archive."""
        entries = self.entries()
        current = clean_name(name, source=self.source, what="reference")
        seen: list[str] = []
        while True:
            if current in seen:
                chain = " -> ".join([*seen, current])
                raise InvalidTarballError(
                    f"{self.source}: entry {name!r} is a link cycle ({chain}); "
                    "the tarball is damaged"
                )
            seen.append(current)
            entry = entries.get(current)
            if entry is None:
                via = f" (reached through links from {name!r})" if len(seen) > 1 else ""
                raise InvalidTarballError(
                    f"{self.source}: entry {current!r} not found in the tarball{via}"
                )
            if entry.kind == "file":
                return entry
            if entry.kind == "other":
                raise InvalidTarballError(
                    f"{self.source}: entry {current!r} is not a regular file or a link"
                )
            current = self._link_target(entry)

    def _link_target(self, entry: Entry) -> str:
        target = entry.target
        if target.startswith("/"):
            raise InvalidTarballError(
                f"{self.source}: entry {entry.name!r} links to the absolute path {target!r}, "
                "outside the archive; refusing to follow it"
            )
        # A hard link names another entry of the archive; a symlink is relative to
        # the directory that holds it.
        joined = (
            target
            if entry.kind == "hardlink"
            else posixpath.join(posixpath.dirname(entry.name), target)
        )
        cleaned = posixpath.normpath(joined)
        if cleaned == ".." or cleaned.startswith("../"):
            raise InvalidTarballError(
                f"{self.source}: entry {entry.name!r} links to {target!r}, outside the "
                "archive; refusing to follow it"
            )
        return cleaned

    def open(self, name: str) -> BinaryIO:
        """Open the data of entry ``name`` (links followed). The caller closes it."""
        entry = self.resolve(name)
        label = f"{self.source}: entry {entry.name!r}"
        stream = self._opener()
        try:
            if self._seekable:
                stream.seek(entry.offset)
                return cast(BinaryIO, _Bounded(stream, entry.size, label=label))
            archive = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 (closed by the member)
            for info in archive:
                if info.isreg() and clean_name(info.name, source=self.source) == entry.name:
                    member = archive.extractfile(info)
                    assert member is not None
                    return cast(BinaryIO, _StreamedMember(stream, archive, cast(BinaryIO, member)))
            raise InvalidTarballError(f"{label} vanished when the tarball was read again")
        except BaseException:
            stream.close()
            raise

    def read(self, name: str) -> bytes:
        """Return the whole data of entry ``name`` (for small files: manifests and configs)."""
        with self.open(name) as stream:
            return stream.read()

    def exists(self, name: str) -> bool:
        """Return whether ``name`` is an entry of the archive (links not followed)."""
        return clean_name(name, source=self.source, what="reference") in self.entries()


def _round_up(size: int) -> int:
    return -(-size // _BLOCK) * _BLOCK
