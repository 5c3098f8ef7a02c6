"""``extract``: the flattened filesystem of an image as one tar stream."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import posixpath
import queue
import re
import tarfile
import threading
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from containerregistry.archive import TarHeader, TarWriter
from containerregistry.mutate._errors import MutateError, UnsafePathError
from containerregistry.mutate._tarstream import TarStream

if TYPE_CHECKING:
    from containerregistry.v1 import Image

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
#: Bytes gathered before handing a piece to the reader: fewer, larger queue items
#: (a piece may exceed it by one write, at most a decompressed chunk of 1 MiB).
_PIECE = 1 << 20
#: Pieces in flight between the writing thread and the reader; with the pieces
#: being built and read, bounds the memory in use to about 10 MiB.
_QUEUE_PIECES = 4
_DRIVE = re.compile(r"^[A-Za-z]:")
_DRAIN = 1 << 20
#: Chunks read ahead of the parser, and the size asked of the layer stream.
_AHEAD = 4
_READ_AHEAD = 4 << 20


def clean_name(name: str) -> str:
    """Return ``name`` cleaned as Go's ``path.Clean``; raise if it would leave the root.

    Names that climb out (``..``), and names that are rooted or carry a drive
    letter once backslashes are read as separators (as Windows tools read them),
    raise :class:`UnsafePathError`. POSIX absolute names are kept.
    """
    if _is_clean(name):
        return name
    as_windows = name.replace("\\", "/")
    if _DRIVE.match(name) or (as_windows.startswith("/") and not name.startswith("/")):
        raise UnsafePathError(
            f"unsafe tar path {name!r} in a layer: it names a drive or root when "
            "backslashes are separators; the image cannot be flattened safely"
        )
    checked = _go_clean(as_windows)
    if checked == ".." or checked.startswith("../"):
        raise UnsafePathError(
            f"unsafe tar path {name!r} in a layer: it climbs out of the filesystem "
            "root; the image cannot be flattened safely"
        )
    return _go_clean(name)


def _is_clean(name: str) -> bool:
    """Report whether ``name`` is already clean, relative, safe and without backslashes.

    True only for names :func:`clean_name` returns unchanged (the usual layer entry
    ``usr/bin/x``): checked with a few string tests instead of two ``normpath``.
    """
    return not (
        not name
        or "\\" in name
        or "//" in name
        or name[0] == "/"
        or name[-1] == "/"
        or name[1:2] == ":"
        or (name[0] == "." and (name in (".", "..") or name.startswith(("./", "../"))))
        or ("/." in name and ("/./" in name or "/../" in name or name.endswith(("/.", "/.."))))
    )


def _go_clean(name: str) -> str:
    cleaned = posixpath.normpath(name) if name else "."
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")  # POSIX keeps "//"; Go does not
    return cleaned


def _link_escapes(name: str, info: tarfile.TarInfo) -> bool:
    """Return whether a link's relative target resolves outside the root.

    Absolute targets are kept (they point inside the image's own root once
    extracted); a symlink's target is relative to its directory, a hardlink's
    to the root.
    """
    target = info.linkname
    if target.startswith("/"):
        return False
    as_windows = target.replace("\\", "/")
    if _DRIVE.match(target) or as_windows.startswith("/"):
        return True
    start = posixpath.dirname(name) if info.issym() else ""
    resolved = _go_clean(posixpath.join(start, as_windows))
    return resolved == ".." or resolved.startswith("../")


class _Flattener:
    """Walks the layers top-down and writes what a container would see."""

    def __init__(self, image: Image, writer: TarWriter) -> None:
        self._image = image
        self._writer = writer
        #: Every path already decided: True if it hides what is below it (a file
        #: or a whiteout), False for a directory whose children may still come.
        self._seen: dict[str, bool] = {}
        #: Directories made opaque by a layer above the current one.
        self._opaque: set[str] = set()

    def _hidden(self, name: str) -> bool:
        if "" in self._opaque:
            return True
        if not name.startswith("/"):  # a clean relative name: its parents by slicing
            seen, opaque = self._seen, self._opaque
            end = name.rfind("/")
            while end > 0:
                parent = name[:end]
                if seen.get(parent) or parent in opaque:
                    return True
                end = name.rfind("/", 0, end)
            return False
        parent = posixpath.dirname(name)
        while parent and parent != name:
            if self._seen.get(parent) or parent in self._opaque:
                return True
            name, parent = parent, posixpath.dirname(parent)
        return False

    def run(self) -> None:
        layers = self._image.layers()
        following: _ReadAhead | None = None
        try:
            for position in range(len(layers) - 1, -1, -1):
                layer = layers[position]
                ahead = following or _ReadAhead(layer.uncompressed)
                following = None
                if position:
                    # The layer below is fetched and inflated on its own thread while
                    # this one is parsed (up to the read-ahead bound); the merge still
                    # takes the layers one at a time, top-down.
                    following = _ReadAhead(layers[position - 1].uncompressed)
                    following.start()
                with _draining(ahead) as stream:
                    opaque_here, orphans = self._layer(stream)
                if orphans:
                    with _drained(layer.uncompressed()) as stream:
                        self._materialize(stream, orphans)
                # A layer's opaque marks hide only what lies below that layer.
                self._opaque.update(opaque_here)
        finally:
            if following is not None:
                following.close()
        self._writer.close()

    def _materialize(
        self, stream: BinaryIO, orphans: dict[str, list[tuple[str, tarfile.TarInfo]]]
    ) -> None:
        """Write each orphaned hard link as its target's content in this layer.

        ``orphans`` maps a target path to the links that pointed at it. The first
        link becomes a regular file with the target's header (links share the
        inode: mode, owner and times are the target's) and the others link to it.
        """
        archive = TarStream(stream)
        for info in archive:
            if not info.isreg():
                continue
            links = orphans.pop(clean_name(info.name), None)
            if not links:
                continue
            (first, _), *others = links
            self._writer.add(_renamed(TarHeader.from_tarinfo(info), first), _data(archive, info))
            for other, link in others:
                header = TarHeader.from_tarinfo(link)
                self._writer.add(dataclasses.replace(header, name=other, linkname=first))
            if not orphans:
                break

    def _layer(
        self, stream: BinaryIO
    ) -> tuple[list[str], dict[str, list[tuple[str, tarfile.TarInfo]]]]:
        """Write what this layer adds; return its opaque directories and orphaned links.

        A hard link whose target this layer did not write (a layer above replaced
        or deleted it) must keep the content the target had here, as it would on
        disk; those links are returned by target and written by :meth:`_materialize`.
        """
        opaque_here: list[str] = []
        written_here: set[str] = set()
        orphans: dict[str, list[tuple[str, tarfile.TarInfo]]] = {}
        archive = TarStream(stream)
        for info in archive:
            # The root itself ("./" or ".") is written once, as ".", like any
            # directory: crane v0.21.9 does, so exported listings match.
            name = clean_name(info.name)
            if name.startswith("/"):
                directory, base = posixpath.split(name)
            else:  # clean and relative: the same as posixpath.split
                directory, _, base = name.rpartition("/")
            if base == _OPAQUE:
                opaque_here.append(directory)
                continue
            whiteout = base.startswith(_WHITEOUT)
            if whiteout:
                name = posixpath.join(directory, base[len(_WHITEOUT) :])
            if name in self._seen or self._hidden(name):
                continue
            self._seen[name] = whiteout or not info.isdir()
            if whiteout:
                continue
            if (info.issym() or info.islnk()) and _link_escapes(name, info):
                continue
            if info.islnk():
                target = clean_name(info.linkname)
                if target not in written_here:
                    orphans.setdefault(target, []).append((name, info))
                    continue
            self._writer.add(info, _data(archive, info) if info.isreg() else None, name=name)
            written_here.add(name)
        return opaque_here, orphans


@contextlib.contextmanager
def _drained(stream: BinaryIO) -> Iterator[BinaryIO]:
    """Yield ``stream``, read ahead on a thread, then read it to its end and close it."""
    with _draining(_ReadAhead(stream)) as ahead:
        yield ahead


@contextlib.contextmanager
def _draining(ahead: _ReadAhead) -> Iterator[BinaryIO]:
    """Yield ``ahead``, then read it to its end and close it.

    Reading to the end checks the layer's digest. The thread fetches, verifies and
    inflates the next chunks (work done outside the GIL) while the caller parses.
    """
    try:
        yield cast("BinaryIO", ahead)
        while ahead.read(_DRAIN):
            pass
    finally:
        ahead.close()


class _ReadAhead:
    """Reads ``source`` on a thread, up to :data:`_AHEAD` chunks before the caller.

    ``source`` is a stream, or a function that opens one (called on the thread, so
    that opening, like reading, fails where the caller reads). The thread starts on
    the first ``read``, or earlier with :meth:`start`. ``read`` returns the source's
    chunks in order (cut to ``size``), and raises what the source raised, where it
    raised it. :meth:`close` stops the thread, waits for it, then closes the source.
    """

    def __init__(self, source: BinaryIO | Callable[[], BinaryIO]) -> None:
        self._source: BinaryIO | None = None
        if callable(source):
            self._opener = source
        else:
            self._source = source
            self._opener = lambda: source
        self._chunks: queue.Queue[bytes | BaseException] = queue.Queue(_AHEAD)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rest = memoryview(b"")
        self._done = False

    def start(self) -> None:
        """Start reading ahead now, before the first ``read``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mutate-read-ahead", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        item: bytes | BaseException
        while not self._stop.is_set():
            try:
                if self._source is None:
                    self._source = self._opener()
                data: bytes | bytearray | memoryview = self._source.read(_READ_AHEAD)
                item = data if isinstance(data, bytes) else bytes(data)
            except BaseException as exc:  # handed to the reader, which raises it
                item = exc
            while not self._stop.is_set():
                try:
                    self._chunks.put(item, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if not isinstance(item, bytes) or not item:
                return

    def read(self, size: int = -1) -> bytes:
        rest = self._rest
        if not rest:
            if self._done:
                return b""
            self.start()
            item = self._chunks.get()
            if isinstance(item, BaseException):
                self._done = True
                raise item
            if not item:
                self._done = True
                return b""
            if size < 0 or size >= len(item):
                return item
            rest = memoryview(item)
        if size < 0 or size >= len(rest):
            self._rest = memoryview(b"")
            return rest.tobytes()
        self._rest = rest[size:]
        return rest[:size].tobytes()

    def close(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None:
            while thread.is_alive():
                try:
                    self._chunks.get_nowait()
                except queue.Empty:
                    thread.join(0.05)
        if self._source is not None:
            self._source.close()


def _data(archive: TarStream, info: tarfile.TarInfo) -> IO[bytes]:
    # The writer only reads the data and writes what it gets to the sink.
    return cast("IO[bytes]", archive.body(info))


def _renamed(header: TarHeader, name: str) -> TarHeader:
    return dataclasses.replace(header, name=name)


class _Cancelled(Exception):
    """The reader was closed: the writing thread stops."""


class _QueueSink:
    """What the tar writer writes to: pieces go to a bounded queue for the reader.

    Writes are gathered as they come (headers as bytes, file data as views of
    the decompressor's immutable chunks) and joined once, into one piece of about
    :data:`_PIECE` bytes: one copy, one queue hand-off per piece.
    """

    def __init__(self, pieces: queue.Queue[bytes | BaseException | None], stop: threading.Event):
        self._pieces = pieces
        self._stop = stop
        self._parts: list[bytes | memoryview] = []
        self._size = 0

    def write(self, data: bytes | memoryview) -> int:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= _PIECE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._parts:
            piece = b"".join(self._parts)
            self._parts.clear()
            self._size = 0
            self.put(piece)

    def put(self, item: bytes | BaseException | None) -> None:
        while True:
            if self._stop.is_set():
                raise _Cancelled
            try:
                self._pieces.put(item, timeout=0.1)
                return
            except queue.Full:
                continue


class _ExtractReader(io.RawIOBase):
    """Reads the flattened tar that a background thread writes; started on first read."""

    def __init__(self, produce: Callable[[_QueueSink], None]) -> None:
        self._produce = produce
        self._pieces: queue.Queue[bytes | BaseException | None] = queue.Queue(_QUEUE_PIECES)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._current = memoryview(b"")
        self._offset = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _start(self) -> None:
        sink = _QueueSink(self._pieces, self._stop)

        def work() -> None:
            try:
                self._produce(sink)
                sink.flush()
                sink.put(None)
            except _Cancelled:
                return
            except BaseException as exc:  # handed to the reader, which raises it
                try:
                    sink.put(exc)
                except _Cancelled:
                    return

        self._thread = threading.Thread(target=work, name="mutate-extract", daemon=True)
        self._thread.start()

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        if self.closed:
            raise ValueError("read from a closed extract stream")
        while self._offset >= len(self._current):
            if self._done:
                return 0
            if self._thread is None:
                self._start()
            item = self._pieces.get()
            if item is None:
                self._done = True
                return 0
            if isinstance(item, BaseException):
                self._done = True
                if isinstance(item, MutateError):
                    raise item
                raise MutateError(f"flattening the image failed: {item}") from item
            self._current, self._offset = memoryview(item), 0
        count = min(len(buffer), len(self._current) - self._offset)
        buffer[:count] = self._current[self._offset : self._offset + count]
        self._offset += count
        return count

    def close(self) -> None:
        if not self.closed:
            self._stop.set()
            thread = self._thread
            if thread is not None:
                while thread.is_alive():
                    try:
                        self._pieces.get_nowait()
                    except queue.Empty:
                        thread.join(0.05)
        super().close()


def extract_to(image: Image, out: BinaryIO) -> None:
    """Write the flattened filesystem of ``image`` to ``out`` as a tar, on this thread.

    The same tar as :func:`extract` reads, without its thread and queue: when the
    tar goes to a file, writing it where it is made saves a copy of every byte and
    a hand-off per MiB. Give a buffered ``out`` (a file opened ``"wb"``); it is not
    closed. Errors are :func:`extract`'s: :class:`MutateError` (and its
    :class:`UnsafePathError`) as they are, any other failure wrapped in one.
    """
    try:
        _Flattener(image, TarWriter(out)).run()
    except (MutateError, BrokenPipeError):
        raise  # a closed pipe is the reader's doing, not the image's
    except Exception as exc:
        raise MutateError(f"flattening the image failed: {exc}") from exc


def extract(image: Image) -> BinaryIO:
    """Return the image's flattened filesystem as a tar stream (PAX entries, as crane).

    Layers are walked from the top: the first occurrence of a path wins; ``.wh.``
    whiteouts hide a path below them and ``.wh..wh..opq`` hides everything below
    in its directory; names are cleaned (``./a`` is ``a``; the root ``./`` is
    written once, as ``.``, as crane does). Hard and symbolic links are kept,
    except those whose relative target climbs out of the root (absolute targets
    are kept). A name that climbs out, or is rooted or has a
    drive letter when backslashes are separators, raises
    :class:`UnsafePathError` while reading. Each layer is read to its end so
    its digest is verified.

    Nothing is read until the stream is; a background thread writes the tar
    through a bounded queue (a few MiB at most in memory). Close the stream to
    stop early.
    """

    def produce(sink: _QueueSink) -> None:
        _Flattener(image, TarWriter(sink)).run()

    return io.BufferedReader(_ExtractReader(produce), buffer_size=_PIECE)
