"""``TarHeader`` and the choice between USTAR, PAX and GNU that Go's writer makes."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import math
import tarfile
from collections.abc import Mapping

from containerregistry.archive import _fields as f
from containerregistry.errors import ContainerRegistryError

#: A time: seconds since the Unix epoch (int, float or exact Decimal) or a datetime
#: (naive means UTC).
#: ``None`` is Go's zero time: "no time", written as 0.
TimeValue = int | float | decimal.Decimal | datetime.datetime | None

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1

_HEADER_ONLY_TYPES = frozenset(b"123456")  # links, devices, directories, FIFOs
_NO_TRAILING_SLASH_TYPES = frozenset(b"03467S")  # files and devices
_BASIC_PAX_KEYS = frozenset(
    ["path", "linkpath", "size", "uid", "gid", "uname", "gname", "mtime", "atime", "ctime"]
)


class TarHeaderError(ContainerRegistryError, ValueError):
    """A tar header cannot be encoded (as Go's ``archive/tar`` would refuse it)."""


class TarFormat(enum.Enum):
    """The header format of an entry; ``UNKNOWN`` lets the writer pick, as Go does.

    With ``UNKNOWN`` the modification time is rounded to whole seconds and access and
    change times are dropped. ``PAX`` keeps sub-second times and atime/ctime (and
    still writes plain USTAR when nothing needs PAX records); ``GNU`` forces GNU.
    """

    UNKNOWN = 0
    USTAR = 2
    PAX = 4
    GNU = 8


_USTAR, _PAX, _GNU = TarFormat.USTAR.value, TarFormat.PAX.value, TarFormat.GNU.value


@dataclasses.dataclass(frozen=True)
class TarHeader:
    """One tar entry's metadata: the fields of Go's ``tar.Header`` that the writer uses.

    ``typeflag`` takes :mod:`tarfile`'s constants (``tarfile.REGTYPE`` ``b"0"``,
    ``DIRTYPE``, ``SYMTYPE``, ``LNKTYPE``...); ``b"\\0"`` becomes a regular file or,
    for a name ending in ``/``, a directory. Strings are encoded as UTF-8 (with
    ``surrogateescape``, so names read by :mod:`tarfile` round-trip).
    """

    name: str
    typeflag: bytes = tarfile.REGTYPE
    linkname: str = ""
    size: int = 0
    mode: int = 0
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    mtime: TimeValue = None
    atime: TimeValue = None
    ctime: TimeValue = None
    devmajor: int = 0
    devminor: int = 0
    pax_records: Mapping[str, str] = dataclasses.field(default_factory=dict)
    format: TarFormat = TarFormat.UNKNOWN

    @classmethod
    def from_tarinfo(cls, info: tarfile.TarInfo, *, format: TarFormat = TarFormat.PAX) -> TarHeader:
        """Build the header Go's reader would give for ``info`` (read with :mod:`tarfile`).

        Times come from the PAX records when present (full precision). ``format``
        defaults to PAX, as ggcr's ``mutate.Extract`` writes. Note that
        :mod:`tarfile` strips the trailing ``/`` of directory names.
        """
        records = dict(info.pax_headers)

        def pax_time(key: str) -> TimeValue:
            text = records.get(key)
            return None if text is None else _parse_pax_time(text)

        mtime = pax_time("mtime")
        return cls(
            name=info.name,
            typeflag=info.type,
            linkname=info.linkname,
            size=info.size,
            mode=info.mode,
            uid=info.uid,
            gid=info.gid,
            uname=info.uname,
            gname=info.gname,
            mtime=mtime if mtime is not None else info.mtime,
            atime=pax_time("atime"),
            ctime=pax_time("ctime"),
            devmajor=info.devmajor,
            devminor=info.devminor,
            pax_records=records,
            format=format,
        )


def _parse_pax_time(text: str) -> TimeValue:
    """Turn a PAX ``%d.%d`` time into an exact Decimal (Go keeps nine fraction digits)."""
    seconds, dot, fraction = text.partition(".")
    try:
        return decimal.Decimal(seconds + dot + fraction[:9])
    except decimal.InvalidOperation:
        return None  # a malformed record: fall back to the header field


def to_seconds_nanos(value: TimeValue) -> tuple[int, int] | None:
    """Split a time into (Unix seconds, nanoseconds in [0, 1e9)); None stays None."""
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise TarHeaderError(f"invalid tar time {value!r}: want a finite number")
        return divmod(int((value * 10**9).to_integral_value(decimal.ROUND_DOWN)), 10**9)
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
        seconds, micro = divmod(micros, 10**6)
        return seconds, micro * 1000
    if isinstance(value, bool):
        raise TarHeaderError(f"invalid tar time {value!r}: want seconds or a datetime")
    if isinstance(value, int):
        return value, 0
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TarHeaderError(f"invalid tar time {value!r}: want a finite number")
        seconds = math.floor(value)
        nanos = round((value - seconds) * 1e9)
        if nanos >= 10**9:
            seconds, nanos = seconds + 1, nanos - 10**9
        return seconds, nanos
    raise TarHeaderError(f"invalid tar time {value!r}: want seconds or a datetime")


def round_to_second(time: tuple[int, int] | None) -> tuple[int, int] | None:
    """Round half up to whole seconds, as Go's ``Time.Round(time.Second)``."""
    if time is None:
        return None
    seconds, nanos = time
    return (seconds + 1 if nanos >= 500_000_000 else seconds), 0


def format_pax_time(time: tuple[int, int]) -> str:
    """Format a time as PAX ``%d.%d`` (fraction trimmed of trailing zeros)."""
    seconds, nanos = time
    if nanos == 0:
        return str(seconds)
    sign = ""
    if seconds < 0:
        sign, seconds, nanos = "-", -(seconds + 1), 10**9 - nanos
    return f"{sign}{seconds}.{nanos:09d}".rstrip("0")


def encode(text: str) -> bytes:
    """Encode a header string as the bytes Go would hold."""
    return text.encode("utf-8", "surrogateescape")


@dataclasses.dataclass
class Plan:
    """What to write for one header: the formats allowed and the PAX records needed."""

    formats: int
    pax: dict[bytes, bytes]
    typeflag: bytes
    name: bytes
    linkname: bytes
    uname: bytes
    gname: bytes
    mtime: tuple[int, int] | None
    atime: tuple[int, int] | None
    ctime: tuple[int, int] | None


def plan(header: TarHeader) -> Plan:
    """Normalize ``header`` as Go's ``WriteHeader`` does and decide which formats fit.

    Raises :class:`TarHeaderError` when no format can encode the header.
    """
    typeflag = header.typeflag
    if len(typeflag) != 1:
        raise TarHeaderError(f"invalid tar typeflag {typeflag!r} for {header.name!r}: want 1 byte")
    name = encode(header.name)
    if typeflag == b"\x00":
        typeflag = tarfile.DIRTYPE if name.endswith(b"/") else tarfile.REGTYPE
    mtime = to_seconds_nanos(header.mtime)
    atime = to_seconds_nanos(header.atime)
    ctime = to_seconds_nanos(header.ctime)
    if header.format is TarFormat.UNKNOWN:
        mtime, atime, ctime = round_to_second(mtime), None, None

    for label, number in [
        ("size", header.size),
        ("mode", header.mode),
        ("uid", header.uid),
        ("gid", header.gid),
        ("devmajor", header.devmajor),
        ("devminor", header.devminor),
    ]:
        if not _INT64_MIN <= number <= _INT64_MAX:
            raise TarHeaderError(f"cannot encode tar header for {header.name!r}: {label} {number}")

    formats = _USTAR | _PAX | _GNU
    pax: dict[bytes, bytes] = {}
    prefer_pax = False
    reasons: list[str] = []
    given = {encode(k): encode(v) for k, v in header.pax_records.items()}

    def forbid(bit: int, why: str) -> None:
        nonlocal formats
        formats &= ~bit
        reasons.append(why)

    def check_string(value: bytes, width: int, label: str, key: bytes) -> None:
        too_long = len(value) > width
        long_gnu_ok = key in (b"path", b"linkpath")
        if b"\x00" in value or (too_long and not long_gnu_ok):
            forbid(_GNU, f"GNU cannot encode {label}={value!r}")
        if not f.is_ascii(value) or too_long:
            if key != b"path" or f.split_ustar_path(value) is None:
                forbid(_USTAR, f"USTAR cannot encode {label}={value!r}")
            pax[key] = value
        if given.get(key) == value:
            pax[key] = value

    def check_number(value: int, width: int, label: str, key: bytes | None) -> None:
        if not f.fits_in_base256(width, value):
            forbid(_GNU, f"GNU cannot encode {label}={value}")
        if not f.fits_in_octal(width, value):
            forbid(_USTAR, f"USTAR cannot encode {label}={value}")
            if key is None:
                forbid(_PAX, f"PAX cannot encode {label}={value}")
            else:
                pax[key] = b"%d" % value
        if key is not None and given.get(key) == b"%d" % value:
            pax[key] = given[key]

    def check_time(value: tuple[int, int] | None, label: str, key: bytes) -> None:
        nonlocal prefer_pax
        if value is None:
            return
        seconds, nanos = value
        if not f.fits_in_base256(12, seconds):
            forbid(_GNU, f"GNU cannot encode {label}={seconds}")
        is_mtime = key == b"mtime"
        fits_octal = f.fits_in_octal(12, seconds)
        if not is_mtime or not fits_octal:
            forbid(_USTAR, f"USTAR cannot encode {label}={seconds}")
        text = encode(format_pax_time(value))
        if not is_mtime or not fits_octal or nanos:
            prefer_pax = True  # USTAR would drop the fraction
            pax[key] = text
        if given.get(key) == text:
            pax[key] = text

    check_string(name, 100, "name", b"path")
    linkname, uname, gname = encode(header.linkname), encode(header.uname), encode(header.gname)
    check_string(linkname, 100, "linkname", b"linkpath")
    check_string(uname, 32, "uname", b"uname")
    check_string(gname, 32, "gname", b"gname")
    check_number(header.mode, 8, "mode", None)
    check_number(header.uid, 8, "uid", b"uid")
    check_number(header.gid, 8, "gid", b"gid")
    check_number(header.size, 12, "size", b"size")
    check_number(header.devmajor, 8, "devmajor", None)
    check_number(header.devminor, 8, "devminor", None)
    check_time(mtime, "mtime", b"mtime")
    check_time(atime, "atime", b"atime")
    check_time(ctime, "ctime", b"ctime")

    def fail(why: str) -> TarHeaderError:
        return TarHeaderError(f"cannot encode tar header for {header.name!r}: {why}")

    flag = typeflag[0]
    if flag in _NO_TRAILING_SLASH_TYPES and name.endswith(b"/"):
        raise fail("a file name may not end in '/' (use a directory entry)")
    if typeflag in (b"x", b"L", b"K"):
        raise fail("PAX and GNU long-name entries are written by the writer itself")
    if typeflag == b"g":
        extras = (
            header.linkname, header.size, header.mode, header.uid, header.gid, header.uname,
            header.gname, mtime, atime, ctime, header.devmajor, header.devminor,
        )  # fmt: skip
        if any(extras):
            raise fail("a global PAX header may only carry a name and PAX records")
        formats &= _PAX
        reasons.append("only PAX supports global headers")
    if flag not in _HEADER_ONLY_TYPES and header.size < 0:
        raise fail(f"negative size {header.size}")

    if given:
        for key, value in given.items():
            if key in pax:
                continue  # fields of the header win over records
            if typeflag == b"g" or (
                key.decode("utf-8", "surrogateescape") not in _BASIC_PAX_KEYS
                and not key.startswith(b"GNU.sparse.")
            ):
                pax[key] = value
        formats &= _PAX
        reasons.append("only PAX supports PAX records")
    for key, value in pax.items():
        checked = value if key in (b"path", b"linkpath", b"uname", b"gname") else key
        if b"\x00" in checked:
            raise fail(f"invalid PAX record {key!r} = {value!r}")

    if header.format is not TarFormat.UNKNOWN:
        wanted = header.format.value
        if wanted & _PAX and not prefer_pax:
            wanted |= _USTAR  # a PAX request still allows plain USTAR when nothing needs PAX
        formats &= wanted
        reasons.append(f"the header asks for {header.format.name}")
    if not formats:
        raise fail("; ".join(reasons) or "no tar format fits")
    return Plan(formats, pax, typeflag, name, linkname, uname, gname, mtime, atime, ctime)


def is_header_only(typeflag: bytes) -> bool:
    """Report whether entries of this type never carry data (links, devices, directories)."""
    return typeflag[0] in _HEADER_ONLY_TYPES
