"""The header bytes of a usual :class:`tarfile.TarInfo`, encoded without :func:`plan`.

:meth:`TarWriter.add` copies entries read with :mod:`tarfile` (``crane export``
copies every entry of every layer), and nearly all of them are plain: ASCII
names, numbers that fit their octal fields, whole-second times, PAX records that
only repeat header fields. For those, :func:`encode_tarinfo` gives the very bytes
that ``TarHeader.from_tarinfo`` then :func:`plan` and the writer's PAX path give,
in a few steps; for anything else it returns None and the general code runs.
"""

from __future__ import annotations

import struct
import tarfile
import zlib
from collections.abc import Mapping

from containerregistry.archive import _fields as f

#: The ustar block is a head (name and the five leading numbers), the checksum,
#: and a tail from the type flag on: linkname, magic and version, uname, gname, the
#: two device numbers (pre-formatted), then zeros (prefix and the rest).
_HEAD = b"%s%07o\x00%07o\x00%07o\x00%011o\x00%011o\x00"
_TAIL = struct.Struct("c100s8s32s32s16s167x")
_DEVICES = b"%07o\x00%07o\x00"
_MAGIC = f.MAGIC_USTAR + f.VERSION_USTAR
_SPACES = b" " * 8
_SPACES_SUM = 8 * ord(" ")
#: Tails by (type, linkname, uname, gname, devmajor, devminor): a layer's entries
#: share a few. None marks fields the general path must encode.
_Tail = tuple[bytes, int, bytes]
_TAILS: dict[tuple[bytes, str, str, str, int, int], _Tail | None] = {}
_TAILS_LIMIT = 4096
_UNKNOWN: _Tail = (b"", 0, b"")
#: The ``x`` block of a PAX record set: its name, zero numbers and size, then zeros.
_SPECIAL = struct.Struct("100s48s8sc100s8s247x")
_SPECIAL_NUMBERS = b"0000000\x00" * 3 + b"%011o\x00" + b"00000000000\x00"
_CHECKSUM = 148
_PAX_TYPE = b"x"

#: Types written from a TarInfo here: files, links, devices, directories, FIFOs.
_TYPES = frozenset([b"0", b"1", b"2", b"3", b"4", b"5", b"6"])
_NO_TRAILING_SLASH = frozenset([b"0", b"3", b"4", b"6"])
_OCTAL_8 = 8**7  # the largest value an 8-byte octal field holds, plus one
_OCTAL_12 = 8**11
#: Record keys that repeat a header field; kept only when they equal it.
_NUMBER_KEYS = {"uid": "uid", "gid": "gid", "size": "size"}


def _checksummed(block: bytes) -> bytes:
    """``block`` with its checksum field (spaces while summed) set as Go writes it."""
    checksum = f.byte_sum(block)
    return b"%s%06o\x00 %s" % (block[:_CHECKSUM], checksum, block[_CHECKSUM + 8 :])


def _field(text: bytes, width: int) -> bytes:
    """``text`` as :func:`_fields.put_string` leaves it in a field of ``width`` bytes."""
    if len(text) <= width:
        return text
    chunk = text[:width]
    if chunk[-1:] == b"/":
        kept = len(text[: width - 1].rstrip(b"/"))
        chunk = chunk[:kept] + b"\x00" + chunk[kept + 1 :]
    return chunk


def _pax_seconds(text: str) -> int | None:
    """Whole seconds of a PAX time record with no fraction (or a zero one); else None."""
    seconds, _, fraction = text.partition(".")
    if not (seconds.isascii() and seconds.isdigit()):
        return None
    if fraction and not (fraction.isascii() and fraction.isdigit() and not fraction[:9].strip("0")):
        return None  # a fraction (Go keeps nine digits) or something odd: the general path
    return int(seconds)


def _tail(
    typeflag: bytes, linkname: str, uname: str, gname: str, devmajor: int, devminor: int
) -> _Tail | None:
    """The block from the type flag on, its byte sum and the encoded linkname; None if
    these fields need the general path (non-ASCII or NUL, long owner names, big numbers).
    """
    if typeflag not in _TYPES:
        return None
    try:
        link_b = linkname.encode("ascii")
        uname_b = uname.encode("ascii")
        gname_b = gname.encode("ascii")
        devices = _DEVICES % (devmajor, devminor)
    except (UnicodeEncodeError, TypeError):
        return None  # surrogates too: only ASCII is written here; floats: general path
    if (
        b"\x00" in link_b
        or b"\x00" in uname_b
        or b"\x00" in gname_b
        or len(uname_b) > 32
        or len(gname_b) > 32
        or not 0 <= devmajor < _OCTAL_8
        or not 0 <= devminor < _OCTAL_8
    ):
        return None
    tail = _TAIL.pack(typeflag, _field(link_b, 100), _MAGIC, uname_b, gname_b, devices)
    return tail, f.byte_sum(tail.ljust(f.BLOCK_SIZE, b"\x00")), link_b


def encode_tarinfo(info: tarfile.TarInfo, name: str) -> bytes | None:
    """The header bytes (PAX record entry, if any, then the ustar block) for ``info``.

    ``name`` replaces ``info.name``. The format is PAX, as ``TarHeader.from_tarinfo``
    chooses. Returns None unless the entry is a usual one (see the module docstring).
    """
    typeflag, linkname = info.type, info.linkname
    tail_key = (typeflag, linkname, info.uname, info.gname, info.devmajor, info.devminor)
    tail = _TAILS.get(tail_key, _UNKNOWN)
    if tail is _UNKNOWN:
        if len(_TAILS) >= _TAILS_LIMIT:
            _TAILS.clear()
        tail = _TAILS[tail_key] = _tail(*tail_key)
    if tail is None:
        return None
    tail_bytes, tail_sum, link_b = tail
    mode, uid, gid, size = info.mode, info.uid, info.gid, info.size
    if not (0 <= mode < _OCTAL_8 and 0 <= uid < _OCTAL_8 and 0 <= gid < _OCTAL_8):
        return None
    if not 0 <= size < _OCTAL_12:
        return None
    try:
        name_b = name.encode("ascii")
    except UnicodeEncodeError:
        return None
    if b"\x00" in name_b or (typeflag in _NO_TRAILING_SLASH and name_b.endswith(b"/")):
        return None
    given: Mapping[str, str] = info.pax_headers
    records: dict[bytes, bytes] = {}
    mtime_record = given.get("mtime")
    if mtime_record is None:
        mtime = info.mtime
        if type(mtime) is not int:  # a float or bool takes the general path
            return None
    else:
        seconds = _pax_seconds(mtime_record)
        if seconds is None:
            return None
        mtime = seconds
    if not 0 <= mtime < _OCTAL_12:
        return None
    try:
        head = _HEAD % (_field(name_b, 100).ljust(100, b"\x00"), mode, uid, gid, size, mtime)
    except TypeError:
        return None  # a float field: the general path
    if given:
        for key, value in given.items():
            if key == "mtime":
                if value == str(mtime):
                    records[b"mtime"] = value.encode("ascii")
            elif key == "path":
                if value == name:
                    records[b"path"] = name_b
            elif key == "linkpath":
                if value == linkname:
                    records[b"linkpath"] = link_b
            elif key == "uname" or key == "gname":
                if value == getattr(info, key):  # ASCII: the tail holds it
                    records[key.encode("ascii")] = value.encode("ascii")
            elif key in _NUMBER_KEYS:
                if value == f"{getattr(info, _NUMBER_KEYS[key]):d}":
                    records[key.encode("ascii")] = value.encode("ascii")
            elif key in ("atime", "ctime") or key.startswith("GNU.sparse.") or "\x00" in key:
                return None
            else:
                encoded = key.encode("utf-8", "surrogateescape")
                records[encoded] = value.encode("utf-8", "surrogateescape")
        if len(name_b) > 100:
            records[b"path"] = name_b
        if len(link_b) > 100:
            records[b"linkpath"] = link_b
    elif len(name_b) > 100 or len(link_b) > 100:
        return None  # USTAR may split the name: the general path decides
    # The head (148 bytes, under 256: one adler32 gives its exact byte sum), the
    # checksum field (counted as eight spaces), then the cached tail.
    checksum = (zlib.adler32(head) & 0xFFFF) - 1 + _SPACES_SUM + tail_sum
    block = b"%s%06o\x00 %s" % (head, checksum, tail_bytes)
    if not records:
        return block
    body = b"".join([f.format_pax_record(k, records[k]) for k in sorted(records)])
    if len(body) > f.MAX_SPECIAL_FILE_SIZE:
        return None  # the general path raises
    special_name = f.pax_header_name(name_b)[: f.NAME_SIZE].rstrip(b"/")
    special = _checksummed(
        _SPECIAL.pack(special_name, _SPECIAL_NUMBERS % len(body), _SPACES, _PAX_TYPE, b"", _MAGIC)
    )
    return b"".join([special, body, f.ZERO_BLOCK[: f.block_padding(len(body))], block])
