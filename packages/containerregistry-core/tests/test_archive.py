"""TarWriter: byte layout of Go's archive/tar, checked field by field and with tarfile."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import tarfile
from typing import BinaryIO, cast

import pytest

from containerregistry.archive import (
    TarFormat,
    TarHeader,
    TarHeaderError,
    TarWriteError,
    TarWriter,
)

EMPTY_TAR_SHA256 = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def write(build: object) -> bytes:
    out = io.BytesIO()
    writer = TarWriter(out)
    build(writer)  # type: ignore[operator]
    writer.close()
    return out.getvalue()


def field(block: bytes, start: int, width: int) -> bytes:
    return block[start : start + width]


def read_back(data: bytes) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = []
        for info in archive:
            body = archive.extractfile(info) if info.isreg() else None
            members.append((info, body.read() if body else None))
        return members


def test_empty_archive_is_two_zero_blocks() -> None:
    data = write(lambda w: None)
    assert data == bytes(1024)
    assert hashlib.sha256(data).hexdigest() == EMPTY_TAR_SHA256


def test_crane_layer_vector_byte_for_byte() -> None:
    # What crane.Layer writes for {"test": "testy"}: a header holding only Name and
    # Size (mode 0, mtime 0), built here field by field as Go's writer lays it out.
    header = (
        b"test".ljust(100, b"\0")  # name
        + b"0000000\0"  # mode
        + b"0000000\0"  # uid
        + b"0000000\0"  # gid
        + b"00000000005\0"  # size
        + b"00000000000\0"  # mtime
        + b"010064\0 "  # checksum: 4148 = 0o10064
        + b"0"  # typeflag
        + bytes(100)  # linkname
        + b"ustar\0"
        + b"00"
        + bytes(32)  # uname
        + bytes(32)  # gname
        + b"0000000\0"  # devmajor
        + b"0000000\0"  # devminor
        + bytes(155)  # prefix
        + bytes(12)
    )
    assert len(header) == 512
    expected = header + b"testy".ljust(512, b"\0") + bytes(1024)
    assert write(lambda w: w.add_file("test", b"testy", mode=0)) == expected


def test_default_file_header_fields() -> None:
    data = write(lambda w: w.add_file("etc/hosts", b"127.0.0.1\n"))
    block = data[:512]
    assert field(block, 100, 8) == b"0000644\0"
    assert field(block, 124, 12) == b"00000000012\0"
    assert field(block, 136, 12) == b"00000000000\0"
    assert field(block, 265, 64) == bytes(64)  # empty uname and gname
    assert len(data) == 512 + 512 + 1024  # no padding to 10240


@pytest.mark.parametrize(
    ("mtime", "expected"),
    [
        pytest.param(0, b"00000000000\0", id="epoch"),
        pytest.param(None, b"00000000000\0", id="zero-time"),
        pytest.param(1_700_000_000, b"14524770400\0", id="int"),
        pytest.param(1_700_000_000.4, b"14524770400\0", id="rounded-down"),
        pytest.param(1_700_000_000.5, b"14524770401\0", id="half-rounds-up"),
        pytest.param(
            datetime.datetime(2023, 11, 14, 22, 13, 20, tzinfo=datetime.timezone.utc),
            b"14524770400\0",
            id="datetime",
        ),
    ],
)
def test_mtime_without_format_is_whole_seconds_ustar(mtime: object, expected: bytes) -> None:
    data = write(lambda w: w.add_file("f", b"", mtime=mtime))
    assert field(data, 136, 12) == expected
    assert data[156:157] == b"0"  # no PAX entry in front
    assert len(data) == 512 + 1024


def test_checksum_is_six_octal_digits_nul_space() -> None:
    block = write(lambda w: w.add_file("f", b"x"))[:512]
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    assert field(block, 148, 8) == b"%06o\0 " % unsigned


def test_long_name_splits_into_ustar_prefix() -> None:
    name = "a" * 150 + "/" + "b" * 50
    data = write(lambda w: w.add_file(name, b"x"))
    assert field(data, 0, 100) == b"b" * 50 + bytes(50)
    assert field(data, 345, 155) == b"a" * 150 + bytes(5)
    assert data[156:157] == b"0"
    assert read_back(data)[0][0].name == name


def pax_records(data: bytes) -> tuple[bytes, bytes]:
    """Return the name field and body of the leading 'x' entry."""
    assert data[156:157] == b"x"
    size = int(field(data, 124, 12).rstrip(b"\0"), 8)
    return field(data, 0, 100).rstrip(b"\0"), data[512 : 512 + size]


def test_unsplittable_long_name_uses_pax_path() -> None:
    name = "a" * 99 + "/" + "b" * 200
    data = write(lambda w: w.add_file(name, b"x"))
    pax_name, body = pax_records(data)
    # "a"*99 + "/PaxHeaders.0/..." cut to 100 bytes, then trailing slashes trimmed.
    assert pax_name == b"a" * 99
    assert body == b"310 path=" + name.encode() + b"\n"
    main = data[1024:1536]
    # The name field holds the first 100 bytes; a cut ending in "/" loses the slash.
    assert field(main, 0, 100) == b"a" * 99 + b"\0"
    assert field(main, 257, 8) == b"ustar\x0000"
    # The x entry's numbers are zero octal but its devmajor/devminor stay NUL.
    assert field(data, 100, 8) == b"0000000\0"
    assert field(data, 329, 16) == bytes(16)
    assert read_back(data)[0][0].name == name


@pytest.mark.parametrize(
    ("value_length", "record_length"),
    [
        pytest.param(86, b"99", id="two-digits"),
        pytest.param(87, b"101", id="length-grows-a-digit"),
    ],
)
def test_pax_record_length_counts_itself(value_length: int, record_length: bytes) -> None:
    target = "t" * value_length
    # A record equal to the field is kept (and forces PAX), as in Go.
    data = write(lambda w: w.add_symlink("link", target, pax={"linkpath": target}))
    _, body = pax_records(data)
    assert body == record_length + b" linkpath=" + target.encode() + b"\n"
    assert len(body) == int(record_length)
    assert read_back(data)[0][0].linkname == target


def test_non_ascii_name_uses_pax_and_ascii_in_header() -> None:
    name = "dir/caf\u00e9.txt"
    data = write(lambda w: w.add_file(name, b"x"))
    pax_name, body = pax_records(data)
    assert pax_name == b"dir/PaxHeaders.0/caf.txt"
    assert body == b"22 path=dir/caf\xc3\xa9.txt\n"
    assert field(data, 1024, 100) == b"dir/caf.txt".ljust(100, b"\0")
    assert read_back(data)[0][0].name == name


def test_sub_second_mtime_needs_explicit_pax() -> None:
    data = write(lambda w: w.add_file("f", b"", mtime=1.25, format=TarFormat.PAX))
    _, body = pax_records(data)
    assert body == b"14 mtime=1.25\n"
    assert field(data, 1024 + 136, 12) == b"00000000001\0"
    assert read_back(data)[0][0].mtime == 1.25


def test_pax_format_still_writes_ustar_when_nothing_needs_pax() -> None:
    plain = write(lambda w: w.add_file("f", b"x", mtime=7))
    asked = write(lambda w: w.add_file("f", b"x", mtime=7, format=TarFormat.PAX))
    assert asked == plain


@pytest.mark.parametrize(
    ("kwargs", "record"),
    [
        pytest.param({"uid": 0o10000000}, b"15 uid=2097152\n", id="uid"),
        pytest.param({"gid": 0o10000000}, b"15 gid=2097152\n", id="gid"),
        pytest.param({"uname": "u" * 33}, b"43 uname=" + b"u" * 33 + b"\n", id="uname"),
        pytest.param({"gname": "\u00fc"}, b"12 gname=\xc3\xbc\n", id="gname-non-ascii"),
        pytest.param({"pax": {"LIBARCHIVE.x": "1"}}, b"18 LIBARCHIVE.x=1\n", id="records"),
    ],
)
def test_fields_that_need_pax_records(kwargs: dict[str, object], record: bytes) -> None:
    data = write(lambda w: w.add_file("f", b"", **kwargs))
    _, body = pax_records(data)
    assert body == record
    (info, _), = read_back(data)  # fmt: skip
    for key, value in kwargs.items():
        if key != "pax":
            assert getattr(info, key) == value


def test_pax_records_are_sorted_and_derived_fields_win() -> None:
    data = write(
        lambda w: w.add_file("f", b"", uid=0o10000000, pax={"b.key": "2", "a.key": "1", "uid": "5"})
    )
    _, body = pax_records(data)
    assert body == b"11 a.key=1\n11 b.key=2\n15 uid=2097152\n"


def test_size_over_8_gib_uses_pax_size_record() -> None:
    out = io.BytesIO()

    class Stop(Exception):
        pass

    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            raise Stop

    writer = TarWriter(out)
    with pytest.raises(Stop):
        writer.add_file("big", cast(BinaryIO, Endless()), size=8 << 30)
    data = out.getvalue()
    _, body = pax_records(data)
    assert body == b"19 size=8589934592\n"
    assert field(data, 1024 + 124, 12) == b"00000000000\0"
    with pytest.raises(TarWriteError, match="failed earlier"):
        writer.close()


def test_mode_too_big_for_octal_falls_back_to_gnu() -> None:
    name = "n" * 120
    data = write(lambda w: w.add(TarHeader(name=name, mode=0o100000000, size=1), io.BytesIO(b"x")))
    # GNU long-name entry, then the GNU header with a base-256 mode.
    assert field(data, 0, 100).rstrip(b"\0") == b"././@LongLink"
    assert data[156:157] == b"L"
    assert field(data, 257, 8) == b"ustar  \0"
    assert data[512 : 512 + 121] == name.encode() + b"\0"
    main = data[1024:1536]
    assert field(main, 100, 8) == b"\x80\0\0\0\x01\0\0\0"
    assert field(main, 0, 100) == name.encode()[:100]
    (info, body), = read_back(data)  # fmt: skip
    assert (info.name, body) == (name, b"x")


def test_links_and_directories() -> None:
    def build(w: TarWriter) -> None:
        w.add_directory("etc/")
        w.add_file("etc/a", b"data")
        w.add_symlink("etc/b", "a")
        w.add_hardlink("etc/c", "etc/a")

    data = write(build)
    assert len(data) == 512 * 5 + 1024
    assert [data[i * 512 + 156 : i * 512 + 157] for i in (0, 1, 3, 4)] == [b"5", b"0", b"2", b"1"]
    assert field(data, 0, 100).rstrip(b"\0") == b"etc/"
    members = [(i.name, i.type, i.linkname, body) for i, body in read_back(data)]
    assert members == [
        ("etc", tarfile.DIRTYPE, "", None),
        ("etc/a", tarfile.REGTYPE, "", b"data"),
        ("etc/b", tarfile.SYMTYPE, "a", None),
        ("etc/c", tarfile.LNKTYPE, "etc/a", None),
    ]


def test_old_regular_typeflag_is_promoted() -> None:
    data = write(lambda w: w.add(TarHeader(name="d/", typeflag=b"\0")))
    assert data[156:157] == b"5"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        pytest.param(TarHeader(name="f/"), "may not end in '/'", id="file-trailing-slash"),
        pytest.param(TarHeader(name="f", typeflag=b"x"), "writer itself", id="manual-pax"),
        pytest.param(TarHeader(name="f", size=-1), "negative size", id="negative-size"),
        pytest.param(TarHeader(name="f", devmajor=1 << 60), "PAX cannot encode", id="devmajor"),
        pytest.param(TarHeader(name="a\0b"), "invalid PAX record", id="nul-in-name"),
        pytest.param(
            TarHeader(name="f", uid=1 << 30, format=TarFormat.USTAR), "USTAR", id="want-ustar"
        ),
    ],
)
def test_unencodable_headers_are_refused_before_writing(header: TarHeader, message: str) -> None:
    out = io.BytesIO()
    writer = TarWriter(out)
    with pytest.raises(TarHeaderError, match=message):
        writer.add(header)
    assert out.getvalue() == b""
    writer.close()  # a refused header does not break the writer
    assert out.getvalue() == bytes(1024)


def test_short_stream_is_an_error() -> None:
    writer = TarWriter(io.BytesIO())
    with pytest.raises(TarWriteError, match="declares 10 bytes but its stream ended after 3"):
        writer.add_file("f", io.BytesIO(b"abc"), size=10)


def test_stream_needs_size_and_size_must_match_bytes() -> None:
    writer = TarWriter(io.BytesIO())
    with pytest.raises(TarHeaderError, match="needs size="):
        writer.add_file("f", io.BytesIO(b"abc"))
    with pytest.raises(TarHeaderError, match="size 4 given"):
        writer.add_file("f", b"abc", size=4)


def test_close_is_idempotent_and_final() -> None:
    out = io.BytesIO()
    with TarWriter(out) as writer:
        writer.add_file("f", b"")
    writer.close()
    assert len(out.getvalue()) == 512 + 1024
    with pytest.raises(TarWriteError, match="already closed"):
        writer.add_file("g", b"")


def test_file_data_is_streamed_in_bounded_reads() -> None:
    size = 5 * (1 << 20) + 3
    reads: list[int] = []

    class Zeros(io.RawIOBase):
        left = size

        def readable(self) -> bool:
            return True

        def read(self, n: int | None = -1) -> bytes:
            assert n is not None
            assert 0 < n <= 1 << 20
            n = min(n, self.left)
            self.left -= n
            reads.append(n)
            return bytes(n)

    class Counter:
        total = 0

        def write(self, data: bytes) -> int:
            self.total += len(data)
            return len(data)

    sink = Counter()
    writer = TarWriter(sink)
    writer.add_file("zeros", cast(BinaryIO, Zeros()), size=size)
    writer.close()
    assert sum(reads) == size
    assert max(reads) <= 1 << 20
    assert sink.total == 512 + size + (-size % 512) + 1024


def test_copying_entries_read_with_tarfile() -> None:
    source = io.BytesIO()
    with tarfile.open(fileobj=source, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, body, mtime in [
            ("caf\u00e9/", None, 5),
            ("caf\u00e9/menu.txt", b"espresso", 1_600_000_000.5),
            ("x" * 300, b"long", 1),
        ]:
            info = tarfile.TarInfo(name)
            info.mtime = mtime
            if body is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            else:
                info.size = len(body)
                archive.addfile(info, io.BytesIO(body))
    source.seek(0)

    copied = io.BytesIO()
    with tarfile.open(fileobj=source) as archive, TarWriter(copied) as writer:
        for info in archive:
            writer.add(info, archive.extractfile(info))

    got = [(i.name, i.mtime, body) for i, body in read_back(copied.getvalue())]
    assert got == [
        ("caf\u00e9", 5, None),
        ("caf\u00e9/menu.txt", 1_600_000_000.5, b"espresso"),
        ("x" * 300, 1, b"long"),
    ]


def test_from_tarinfo_keeps_exact_pax_times() -> None:
    info = tarfile.TarInfo("f")
    info.pax_headers = {"mtime": "1600000000.123456789", "atime": "-1.5"}
    header = TarHeader.from_tarinfo(info)
    assert header.mtime == decimal.Decimal("1600000000.123456789")
    assert header.format is TarFormat.PAX
    data = write(lambda w: w.add(header))
    _, body = pax_records(data)
    assert body == b"14 atime=-1.5\n30 mtime=1600000000.123456789\n"


@pytest.mark.parametrize("name", ["layer.tar.gz", "d/" * 60 + "long-name.tar.gz"])
@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, (8 << 30) + 1])
def test_add_file_header_writes_what_add_file_writes_before_the_data(name: str, size: int) -> None:
    whole = _Head()
    TarWriter(whole).add_file(name, _Zeros(size), size=size, mode=0o600, mtime=7)
    header = io.BytesIO()
    padding = TarWriter(header).add_file_header(name, size, mode=0o600, mtime=7)
    assert header.getvalue() == bytes(whole.head[: len(header.getvalue())])
    assert len(header.getvalue()) + size + padding == whole.length
    assert (size + padding) % 512 == 0
    assert padding < 512


def test_add_file_header_refuses_a_closed_writer() -> None:
    writer = TarWriter(io.BytesIO())
    writer.close()
    with pytest.raises(TarWriteError, match="already closed"):
        writer.add_file_header("x", 1)


class _Head:
    """A sink that keeps the first 4 KiB written and counts the rest."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.length = 0

    def write(self, data: bytes) -> int:
        if len(self.head) < 4096:
            self.head += data[: 4096 - len(self.head)]
        self.length += len(data)
        return len(data)


class _Zeros(io.RawIOBase):
    """``size`` zero bytes, never held whole (the 8 GiB case)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self._left = size

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        count = self._left if size < 0 else min(size, self._left, 1 << 20)
        self._left -= count
        return bytes(count)
