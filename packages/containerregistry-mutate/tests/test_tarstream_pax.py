"""TarStream reads PAX records, well framed or not, exactly as tarfile's stream mode does."""

from __future__ import annotations

import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from containerregistry.mutate._tarstream import TarStream

_FIELDS = ("name", "type", "linkname", "size", "mode", "uid", "gid", "uname", "gname", "mtime")


def _record(key: bytes, value: bytes, skew: int = 0) -> bytes:
    size = len(key) + len(value) + 3
    size += len(str(size))
    if len(b"%d %s=%s\n" % (size, key, value)) != size:
        size += 1
    return b"%d %s=%s\n" % (size + skew, key, value)


def _archive(body: bytes, *, kind: bytes = tarfile.XHDTYPE, padding: bytes = b"") -> bytes:
    pax = tarfile.TarInfo("PaxHeaders.0/file")
    pax.type, pax.size = kind, len(body)
    data = b"0123456789" * 70
    info = tarfile.TarInfo("file")
    info.size = len(data)
    out = pax.tobuf(tarfile.USTAR_FORMAT) + body + padding
    out += bytes(-len(out) % 512)
    out += info.tobuf(tarfile.USTAR_FORMAT) + data + bytes(-len(data) % 512)
    return out + bytes(1024)


def _read(read: object) -> object:
    try:
        return read()  # type: ignore[operator]
    except Exception as exc:
        return type(exc), str(exc)


def _with_tarfile(data: bytes) -> object:
    def read() -> list[object]:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tar:
            return [([getattr(i, f) for f in _FIELDS], i.pax_headers, i.offset) for i in tar]

    return _read(read)


def _with_tarstream(data: bytes) -> object:
    def read() -> list[object]:
        stream = TarStream(io.BytesIO(data))
        return [([getattr(i, f) for f in _FIELDS], i.pax_headers, i.offset) for i in stream]

    return _read(read)


CASES = {
    "mtime": _record(b"mtime", b"315561600.0"),
    "several": _record(b"path", b"a/b") + _record(b"uid", b"70000000") + _record(b"x", b""),
    "size": _record(b"size", b"10"),
    "bad-size": _record(b"size", b"ten"),
    "utf8-name": _record(b"path", "caf\u00e9".encode()),
    "latin1-name": _record(b"path", b"caf\xe9"),
    "bad-utf8-value": _record(b"comment", b"\xff\xfe"),
    "hdrcharset": _record(b"hdrcharset", b"BINARY") + _record(b"path", b"caf\xe9"),
    "length-short": _record(b"mtime", b"1", skew=-1),
    "length-long": _record(b"mtime", b"1", skew=1),
    "length-zero": b"0 a=\n",
    "no-equals": b"6 abc\n",
    "no-newline": b"7 a=bcd",
    "leading-zeros": b"0008 a=bc\n",
    "equals-in-value": _record(b"a", b"b=c"),
    "newline-in-value": _record(b"a", b"b\nc"),
    "sparse": _record(b"GNU.sparse.major", b"1") + _record(b"GNU.sparse.minor", b"0"),
    "empty": b"",
}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("padding", [b"", b"12 a=bcdefg\n", b"xyz"], ids=["nul", "digits", "text"])
def test_records_match_tarfile(body: bytes, padding: bytes) -> None:
    data = _archive(body, padding=padding)
    assert _with_tarstream(data) == _with_tarfile(data)


def test_global_records_match_tarfile() -> None:
    data = _archive(_record(b"comment", b"all"), kind=tarfile.XGLTYPE)
    assert _with_tarstream(data) == _with_tarfile(data)


_bytes = st.binary(max_size=12) | st.sampled_from([b"path", b"size", b"mtime", b"a=b", b"\n"])


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(st.tuples(_bytes, _bytes, st.integers(-2, 2) | st.just(0)), max_size=4),
    tail=st.binary(max_size=6),
)
def test_any_records_match_tarfile(records: list[tuple[bytes, bytes, int]], tail: bytes) -> None:
    body = b"".join(_record(key, value, skew) for key, value, skew in records) + tail
    data = _archive(body)
    assert _with_tarstream(data) == _with_tarfile(data)
