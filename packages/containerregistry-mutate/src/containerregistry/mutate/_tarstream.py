"""A fast single-pass tar reader: :mod:`tarfile`'s header rules, large reads, no data copies.

``tarfile``'s stream mode reads its source 10 KiB at a time, shifts its buffer
with a copy on every read and copies file data again through its file objects,
which costs more than inflating the layer. :class:`TarStream` reads the source in
the large chunks the decompressor produces, lets :class:`tarfile.TarInfo` parse
each header (so PAX, GNU long names, sparse maps and every quirk are read exactly
as ``tarfile`` reads them) and hands file data out as ``memoryview`` slices of
those chunks, never copied.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

#: Bytes asked of the source at a time (the gzip decompressor hands out 1 MiB).
_READ_SIZE = 4 << 20
_EMPTY = memoryview(b"")
# tarfile's header errors, which its stubs do not list.
_EOF_HEADER: type[Exception] = getattr(tarfile, "EOFHeaderError")  # noqa: B009
_EMPTY_HEADER: type[Exception] = getattr(tarfile, "EmptyHeaderError")  # noqa: B009
_INVALID_HEADER: type[Exception] = getattr(tarfile, "InvalidHeaderError")  # noqa: B009
_TRUNCATED_HEADER: type[Exception] = getattr(tarfile, "TruncatedHeaderError")  # noqa: B009
_SUBSEQUENT_HEADER: type[Exception] = getattr(tarfile, "SubsequentHeaderError")  # noqa: B009
#: adler32's low half is 1 + the byte sum mod 65521: exact for up to 256 bytes.
_SUM_SPAN = 256
#: Types whose header :meth:`_TarInfo.frombuf` decodes itself (others go to tarfile).
_FAST_TYPES = frozenset(b"0123456x\x00")
#: Decoded header fields that repeat from entry to entry, by their bytes.
_IDS: dict[bytes, tuple[int, int, int]] = {}
_DEVICES: dict[bytes, tuple[int, int]] = {}
_OWNERS: dict[tuple[bytes, str, str], tuple[str, str]] = {}
_CACHE_LIMIT = 4096
_HEADER_ERROR: type[Exception] = getattr(tarfile, "HeaderError")  # noqa: B009
_BLOCK = tarfile.BLOCKSIZE
_PAX_TYPE = tarfile.XHDTYPE
_PAX_BYTE = _PAX_TYPE[0]
_PAX_NAME_FIELDS: frozenset[str] = frozenset(getattr(tarfile, "PAX_NAME_FIELDS"))  # noqa: B009
_SUPPORTED_TYPES: tuple[bytes, ...] = tarfile.SUPPORTED_TYPES


def _octal(field: bytes | bytearray) -> int:
    """A numeric field as tarfile's ``nti`` reads octal text; ValueError for anything else.

    Base-256 numbers, and spaces that ``int`` does not skip but ``str.strip`` does,
    raise here and are left to tarfile.
    """
    return int(field.split(b"\x00", 1)[0] or b"0", 8)


def _text(field: bytes | bytearray, encoding: str, errors: str) -> str:
    return field.split(b"\x00", 1)[0].decode(encoding, errors)


class _TarInfo(tarfile.TarInfo):
    """``TarInfo`` whose header decoding is quicker for the usual headers.

    ``tarfile``'s ``frombuf`` sums the header twice through ``struct`` and calls a
    helper per field; this one sums it with adler32 and reads octal fields at once.
    Whatever it does not handle the same way (base-256 numbers, sparse and unusual
    types, signed checksums, bad headers) goes to ``tarfile``'s own code, so the
    results and errors are tarfile's.
    """

    @classmethod
    def frombuf(cls, buf: bytes | bytearray, encoding: str, errors: str) -> _TarInfo:
        if len(buf) != tarfile.BLOCKSIZE or buf[156] not in _FAST_TYPES:
            return super().frombuf(buf, encoding, errors)
        if not isinstance(buf, bytes):
            buf = bytes(buf)  # the field caches key on bytes
        total = (zlib.adler32(buf[:_SUM_SPAN]) & 0xFFFF) + (zlib.adler32(buf[_SUM_SPAN:]) & 0xFFFF)
        total -= 2
        try:
            checksum = _octal(buf[148:156])
            if not total or checksum != 256 + total - sum(buf[148:156]):
                raise ValueError("not a plain header")
            if buf[156] == _PAX_BYTE:
                # A PAX header's own fields other than its size and name are never
                # read (its records describe the next header): skip decoding them.
                pax = cls()
                pax.name = _text(buf[0:100], encoding, errors)
                pax.size, pax.chksum, pax.type = _octal(buf[124:136]), checksum, _PAX_TYPE
                return pax
            # Mode and ids, device numbers, owner names: the same few values in a
            # layer, decoded once (the size and time vary: read each time).
            key = buf[100:124]
            ids = _IDS.get(key)
            if ids is None:
                if len(_IDS) > _CACHE_LIMIT:
                    _IDS.clear()
                ids = _IDS[key] = (_octal(key[0:8]), _octal(key[8:16]), _octal(key[16:24]))
            key = buf[329:345]
            devices = _DEVICES.get(key)
            if devices is None:
                if len(_DEVICES) > _CACHE_LIMIT:
                    _DEVICES.clear()
                devices = _DEVICES[key] = (_octal(key[0:8]), _octal(key[8:16]))
            size, mtime = _octal(buf[124:136]), _octal(buf[136:148])
        except ValueError:
            return super().frombuf(buf, encoding, errors)
        owner_key = (buf[265:329], encoding, errors)
        owners = _OWNERS.get(owner_key)
        if owners is None:
            if len(_OWNERS) > _CACHE_LIMIT:
                _OWNERS.clear()
            text = owner_key[0]
            owners = _OWNERS[owner_key] = (
                _text(text[:32], encoding, errors),
                _text(text[32:], encoding, errors),
            )
        obj = cls()
        obj.name = _text(buf[0:100], encoding, errors)
        obj.mode, obj.uid, obj.gid = ids
        obj.size, obj.mtime = size, mtime
        obj.chksum = checksum
        obj.type = bytes(buf[156:157])
        obj.linkname = _text(buf[157:257], encoding, errors) if buf[157] else ""
        obj.uname, obj.gname = owners
        obj.devmajor, obj.devminor = devices
        prefix = _text(buf[345:500], encoding, errors) if buf[345] else ""
        # The same rules as tarfile's frombuf: V7 directories, trailing slashes, prefix.
        if obj.type == tarfile.AREGTYPE and obj.name.endswith("/"):
            obj.type = tarfile.DIRTYPE
        if obj.type == tarfile.DIRTYPE:
            obj.name = obj.name.rstrip("/")
        if prefix:
            obj.name = prefix + "/" + obj.name
        return obj

    def _proc_pax(self, archive: Any) -> tarfile.TarInfo:
        """Read a PAX ``x`` header's records as tarfile does, without its regexes.

        Only the usual block is read here: records framed exactly (``"<len> k=v\\n"``,
        filling the block's data), within the chunk in hand, with no ``hdrcharset``
        or GNU sparse records. Anything else (and ``g`` headers) goes to tarfile's
        own code, before a byte is consumed.
        """
        stream = archive.fileobj
        size = self.size
        padded = -(-size // _BLOCK) * _BLOCK
        buf = stream._peek(padded) if self.type == _PAX_TYPE else None
        records = None if buf is None else _pax_records(buf, size)
        if records is None:
            general = super()._proc_pax(archive)  # type: ignore[misc]
            return cast("tarfile.TarInfo", general)
        stream._pos += padded
        headers: dict[str, str] = archive.pax_headers.copy()
        errors = archive.errors
        for keyword, value in records:
            key = keyword.decode("utf-8", errors)
            if key in _PAX_NAME_FIELDS:
                try:
                    text = value.decode("utf-8")
                except UnicodeDecodeError:
                    text = value.decode(archive.encoding, errors)
            else:
                text = value.decode("utf-8", errors)
            headers[key] = text
        try:
            following: Any = self.fromtarfile(archive)
        except _HEADER_ERROR as exc:
            raise _SUBSEQUENT_HEADER(str(exc)) from None
        following._apply_pax_info(headers, archive.encoding, errors)
        following.offset = self.offset
        if "size" in headers:
            # The size in the records replaces the header's: the next header moves.
            offset = following.offset_data
            if following.isreg() or following.type not in _SUPPORTED_TYPES:
                offset += -(-following.size // _BLOCK) * _BLOCK
            archive.offset = offset
        return cast("tarfile.TarInfo", following)


def _pax_records(buf: bytes, size: int) -> list[tuple[bytes, bytes]] | None:
    """The (keyword, value) records in the first ``size`` bytes of ``buf``, or None.

    None unless every record is framed exactly, they fill the ``size`` bytes, the
    block goes on with a NUL (or ends), and no record could be read differently
    by tarfile's versions (``hdrcharset``, GNU sparse maps).
    """
    if buf[size : size + 1] not in (b"", b"\x00") or b"hdrcharset=" in buf or b"GNU.sparse." in buf:
        return None
    records = []
    pos = 0
    while pos < size:
        space = buf.find(b" ", pos, pos + 21)
        if space <= pos:
            return None
        digits = buf[pos:space]
        if not digits.isdigit():
            return None
        stop = pos + int(digits)
        if stop - pos < 5 or stop > size or buf[stop - 1] != 0x0A:
            return None
        equals = buf.find(b"=", space + 1, stop - 1)
        if equals <= space + 1:
            return None
        records.append((buf[space + 1 : equals], buf[equals + 1 : stop - 1]))
        pos = stop
    return records


class TarStream:
    """Iterates over the entries of the tar in ``source`` (a stream read once).

    Iterating yields :class:`tarfile.TarInfo` objects as ``tarfile.open(mode="r|")``
    does (same names, fields, PAX records and errors); :meth:`body` gives the data
    of the entry just yielded. Data not read is skipped when iteration moves on.
    The source is not closed.
    """

    #: What :meth:`tarfile.TarInfo.fromtarfile` reads of the archive it is given
    #: (this object stands in for a ``TarFile``): the same defaults as tarfile's.
    encoding = tarfile.ENCODING
    errors = "surrogateescape"

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._chunk = b""
        self._view = _EMPTY
        self._pos = 0  # in the chunk
        self._base = 0  # stream offset of the chunk's first byte
        #: Where the next header starts (set by ``TarInfo`` as it parses a member).
        self.offset = 0
        #: Global PAX records (``g`` entries), shared with ``TarInfo`` as in ``TarFile``.
        self.pax_headers: dict[str, str] = {}
        self.fileobj = self  # TarInfo reads headers through ``fileobj.read``/``tell``

    # -- the file object TarInfo reads headers from -----------------------------

    def _fill(self) -> bool:
        """Replace the used-up chunk with the next one from the source; False at its end."""
        data: bytes | bytearray | memoryview = self._source.read(_READ_SIZE)
        if not data:
            return False
        if not isinstance(data, bytes):
            data = bytes(data)
        self._base += len(self._chunk)
        self._chunk, self._view, self._pos = data, memoryview(data), 0
        return True

    def read(self, size: int) -> bytes:
        """Return the next ``size`` bytes (fewer only at the end of the source)."""
        chunk, start = self._chunk, self._pos
        end = start + size
        if end <= len(chunk):
            self._pos = end
            return chunk[start:end]
        parts = [chunk[start:]]
        self._pos = len(chunk)
        needed = size - len(parts[0])
        while needed and self._fill():
            piece = self._chunk[:needed]
            parts.append(piece)
            self._pos = len(piece)
            needed -= len(piece)
        return b"".join(parts)

    def _peek(self, size: int) -> bytes | None:
        """The next ``size`` bytes if the chunk in hand holds them (not consumed), else None."""
        start = self._pos
        end = start + size
        chunk = self._chunk
        return chunk[start:end] if end <= len(chunk) else None

    def tell(self) -> int:
        """The stream offset of the next byte."""
        return self._base + self._pos

    def _skip(self, count: int) -> None:
        while count:
            available = len(self._chunk) - self._pos
            if available >= count:
                self._pos += count
                return
            count -= available
            self._pos = len(self._chunk)
            if not self._fill():
                raise tarfile.ReadError("unexpected end of data")

    # -- entries ------------------------------------------------------------------

    def __iter__(self) -> Iterator[tarfile.TarInfo]:
        while True:
            info = self._next()
            if info is None:
                return
            yield info

    def _next(self) -> tarfile.TarInfo | None:
        """The next member as ``TarFile.next`` reads it in stream mode, None at the end."""
        self._skip(self.offset - self.tell())
        try:
            return _TarInfo.fromtarfile(self)  # type: ignore[arg-type]
        except (_EOF_HEADER, _EMPTY_HEADER) as exc:
            if self.offset == 0 and isinstance(exc, _EMPTY_HEADER):
                raise tarfile.ReadError("empty file") from None
        except (_INVALID_HEADER, _TRUNCATED_HEADER) as exc:
            if self.offset == 0:
                raise tarfile.ReadError(str(exc)) from None
        except _SUBSEQUENT_HEADER as exc:
            raise tarfile.ReadError(str(exc)) from None
        return None  # tarfile, too, ends the archive at a zero or unreadable header

    def body(self, info: tarfile.TarInfo) -> _Body:
        """The data of ``info``, the entry just yielded (sparse files filled with zeros)."""
        self._skip(info.offset_data - self.tell())
        sparse: Any = info.sparse  # a list of (offset, size) pairs, whatever the stubs say
        if sparse is not None:
            return _SparseBody(self, cast("list[tuple[int, int]]", sparse), info.size)
        return _Body(self, info.size)

    def _take(self, limit: int) -> memoryview:
        """Up to ``limit`` (> 0) bytes of the current chunk, as a view; empty at the end."""
        if self._pos == len(self._chunk) and not self._fill():
            return _EMPTY
        start = self._pos
        end = min(start + limit, len(self._chunk))
        self._pos = end
        return self._view[start:end]


class _Body:
    """File data of one entry: ``read`` returns views into the reader's chunks."""

    def __init__(self, stream: TarStream, size: int) -> None:
        self._stream = stream
        self._remaining = size

    def read(self, size: int = -1) -> memoryview:
        if size < 0 or size > self._remaining:
            size = self._remaining
        if not size:
            return _EMPTY
        piece = self._stream._take(size)
        if not piece:
            raise tarfile.ReadError("unexpected end of data")
        self._remaining -= len(piece)
        return piece


class _SparseBody(_Body):
    """A GNU sparse file: the stored pieces at their offsets, zeros in the holes."""

    def __init__(self, stream: TarStream, sparse: list[tuple[int, int]], size: int) -> None:
        super().__init__(stream, size)
        self._size = size
        self._position = 0
        self._pieces = [(offset, count) for offset, count in sparse if count]
        self._stored = 0  # bytes of the current stored piece not yet read

    def read(self, size: int = -1) -> memoryview:
        if size < 0 or size > self._size - self._position:
            size = self._size - self._position
        if not size:
            return _EMPTY
        if not self._stored and self._pieces and self._pieces[0][0] == self._position:
            self._stored = self._pieces.pop(0)[1]
        if self._stored:
            piece = self._stream._take(min(size, self._stored))
            if not piece:
                raise tarfile.ReadError("unexpected end of data")
            self._stored -= len(piece)
        else:
            hole_end = self._pieces[0][0] if self._pieces else self._size
            if hole_end <= self._position:
                raise tarfile.ReadError("invalid sparse map: pieces overlap or are out of order")
            piece = memoryview(bytes(min(size, hole_end - self._position)))
        self._position += len(piece)
        return piece
