"""Encoding of single tar header fields, following the rules of Go's ``archive/tar``.

Everything here works on ``bytes``: Go strings are byte strings, and every length
limit of the format is a byte count.
"""

from __future__ import annotations

import zlib

BLOCK_SIZE = 512
NAME_SIZE = 100
PREFIX_SIZE = 155
#: Largest PAX header body Go accepts (the same limit as libarchive).
MAX_SPECIAL_FILE_SIZE = 1 << 20
ZERO_BLOCK = bytes(BLOCK_SIZE)

# Byte offsets and widths of the header fields (POSIX ustar, GNU where noted).
NAME = (0, 100)
MODE = (100, 8)
UID = (108, 8)
GID = (116, 8)
SIZE = (124, 12)
MTIME = (136, 12)
CHKSUM = (148, 8)
TYPEFLAG = 156
LINKNAME = (157, 100)
MAGIC = (257, 6)
VERSION = (263, 2)
UNAME = (265, 32)
GNAME = (297, 32)
DEVMAJOR = (329, 8)
DEVMINOR = (337, 8)
PREFIX = (345, 155)
GNU_ATIME = (345, 12)
GNU_CTIME = (357, 12)

MAGIC_USTAR, VERSION_USTAR = b"ustar\x00", b"00"
MAGIC_GNU, VERSION_GNU = b"ustar ", b" \x00"


def block_padding(offset: int) -> int:
    """Return how many zero bytes bring ``offset`` up to a block boundary."""
    return -offset % BLOCK_SIZE


def is_ascii(text: bytes) -> bool:
    """Report whether ``text`` is a C string of ASCII characters (no NUL, nothing >= 0x80)."""
    return text.isascii() and b"\x00" not in text


def to_ascii(text: bytes) -> bytes:
    """Drop every byte that is NUL or not ASCII, as Go does before writing a field."""
    if is_ascii(text):
        return text
    return bytes(c for c in text if 0 < c < 0x80)


def fits_in_octal(width: int, value: int) -> bool:
    """Report whether ``value`` fits in ``width`` bytes as octal digits plus a NUL."""
    return value >= 0 and (width >= 22 or value < 1 << ((width - 1) * 3))


def fits_in_base256(width: int, value: int) -> bool:
    """Report whether ``value`` fits in ``width`` bytes of GNU base-256."""
    bits = (width - 1) * 8
    return width >= 9 or -(1 << bits) <= value < 1 << bits


def put_string(block: bytearray, field: tuple[int, int], text: bytes) -> None:
    """Copy ``text`` into ``field``, NUL-terminated when there is room.

    Like Go, a value longer than the field is cut to the field, and if the cut
    leaves a trailing slash the slashes are replaced by a NUL, so that readers do
    not mistake a long regular file name for a directory.
    """
    start, width = field
    chunk = text[:width]
    block[start : start + len(chunk)] = chunk
    if len(text) < width:
        block[start + len(text)] = 0
    if len(text) > width and chunk[-1:] == b"/":
        kept = len(text[: width - 1].rstrip(b"/"))
        block[start + kept] = 0


def put_octal(block: bytearray, field: tuple[int, int], value: int) -> None:
    """Write ``value`` as zero-padded octal with a NUL terminator (0 if it does not fit)."""
    start, width = field
    if not fits_in_octal(width, value):
        value = 0  # Go's last resort: the caller has recorded the value elsewhere
    # width - 1 digits exactly (the value fits) and the NUL: the whole field at once.
    block[start : start + width] = b"%0*o\x00" % (width - 1, value)


def put_numeric(block: bytearray, field: tuple[int, int], value: int) -> None:
    """Write ``value`` as octal when it fits, otherwise as GNU base-256."""
    start, width = field
    if fits_in_octal(width, value):
        put_octal(block, field, value)
    elif fits_in_base256(width, value):
        encoded = bytearray((value % (1 << (8 * width))).to_bytes(width, "big"))
        encoded[0] |= 0x80
        block[start : start + width] = encoded
    else:
        put_octal(block, field, 0)


def set_magic_and_checksum(block: bytearray, *, gnu: bool) -> None:
    """Write the format magic, then the checksum (``%06o\\0 ``) over the finished block."""
    magic, version = (MAGIC_GNU, VERSION_GNU) if gnu else (MAGIC_USTAR, VERSION_USTAR)
    block[MAGIC[0] : MAGIC[0] + MAGIC[1]] = magic
    block[VERSION[0] : VERSION[0] + VERSION[1]] = version
    start, width = CHKSUM
    # The checksum field itself counts as eight spaces.
    block[start : start + width] = b" " * width
    checksum = byte_sum(block)
    put_octal(block, (start, 7), checksum)
    block[start + 7] = ord(" ")


def byte_sum(block: bytes | bytearray) -> int:
    """Return the sum of the bytes of a 512-byte ``block``, computed in C.

    adler32's low half is 1 + the byte sum modulo 65521, which is the exact sum for
    256 bytes or fewer (at most 65280): two halves give the block's sum.
    """
    view = memoryview(block)
    return (zlib.adler32(view[:256]) & 0xFFFF) + (zlib.adler32(view[256:]) & 0xFFFF) - 2


def split_ustar_path(name: bytes) -> tuple[bytes, bytes] | None:
    """Split a long ASCII ``name`` into a USTAR (prefix, name) pair, or return None."""
    length = len(name)
    if length <= NAME_SIZE or not is_ascii(name):
        return None
    if length > PREFIX_SIZE + 1:
        length = PREFIX_SIZE + 1
    elif name[length - 1 : length] == b"/":
        length -= 1
    cut = name.rfind(b"/", 0, length)
    suffix_len = len(name) - cut - 1
    if cut <= 0 or suffix_len > NAME_SIZE or suffix_len == 0 or cut > PREFIX_SIZE:
        return None
    return name[:cut], name[cut + 1 :]


def clean_path(path: bytes) -> bytes:
    """Return the shortest equivalent slash path, with the rules of Go's ``path.Clean``."""
    rooted = path.startswith(b"/")
    parts: list[bytes] = []
    for part in path.split(b"/"):
        if part in (b"", b"."):
            continue
        if part == b"..":
            if parts and parts[-1] != b"..":
                parts.pop()
            elif not rooted:
                parts.append(part)
            continue
        parts.append(part)
    cleaned = b"/".join(parts)
    if rooted:
        cleaned = b"/" + cleaned
    return cleaned or b"."


def pax_header_name(name: bytes) -> bytes:
    """Name of the ``x`` entry that carries the PAX records of ``name``."""
    cut = name.rfind(b"/") + 1
    directory, base = name[:cut], name[cut:]
    return clean_path(b"/".join(p for p in (directory, b"PaxHeaders.0", base) if p))


def format_pax_record(key: bytes, value: bytes) -> bytes:
    """Return ``"<len> <key>=<value>\\n"`` where ``<len>`` counts the whole record."""
    size = len(key) + len(value) + 3  # the space, "=" and newline
    size += len(str(size))
    record = b"%d %s=%s\n" % (size, key, value)
    if len(record) != size:  # the length grew by a digit when it was added
        record = b"%d %s=%s\n" % (len(record), key, value)
    return record
