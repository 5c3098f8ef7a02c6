"""TarWriter.add(TarInfo): the quick encoding of usual entries gives the general path's bytes."""

from __future__ import annotations

import dataclasses
import io
import tarfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from containerregistry.archive import TarHeader, TarWriter

Outcome = tuple[bytes, "type[Exception] | None"]


def data(info: tarfile.TarInfo) -> io.BytesIO:
    """The entry's data, cut short past 64 KiB (the writer then raises, after the header)."""
    return io.BytesIO(bytes(min(info.size, 1 << 16)))


def general(info: tarfile.TarInfo, name: str | None) -> Outcome:
    """What the writer gives through TarHeader.from_tarinfo (never the quick path)."""
    out = io.BytesIO()
    writer = TarWriter(out)
    header = TarHeader.from_tarinfo(info)
    if name is not None:
        header = dataclasses.replace(header, name=name)
    try:
        writer.add(header, data(info))
    except Exception as exc:
        return out.getvalue(), type(exc)
    return out.getvalue(), None


def quick(info: tarfile.TarInfo, name: str | None) -> Outcome:
    out = io.BytesIO()
    writer = TarWriter(out)
    try:
        writer.add(info, data(info), name=name)
    except Exception as exc:
        return out.getvalue(), type(exc)
    return out.getvalue(), None


def make(**fields: object) -> tarfile.TarInfo:
    info = tarfile.TarInfo()
    for key, value in fields.items():
        setattr(info, key, value)
    return info


CASES = {
    "plain-file": make(name="usr/bin/x", size=3, mode=0o755, mtime=1700000000),
    "pax-mtime-dot-zero": make(name="a", size=1, pax_headers={"mtime": "315561600.0"}),
    "pax-mtime-equal": make(name="a", mtime=5, pax_headers={"mtime": "315561600"}),
    "pax-mtime-fraction": make(name="a", pax_headers={"mtime": "315561600.25"}),
    "pax-mtime-ninth-digit": make(name="a", pax_headers={"mtime": "1.0000000001"}),
    "pax-mtime-negative": make(name="a", pax_headers={"mtime": "-1.5"}),
    "pax-atime": make(name="a", pax_headers={"mtime": "1", "atime": "2.5"}),
    "long-name-pax": make(name="d/" * 60 + "f", pax_headers={"path": "d/" * 60 + "f"}),
    "long-name-slash": make(name="d" * 99 + "//x", pax_headers={"path": "x"}),
    "long-name-ustar": make(name="d/" * 60 + "f"),
    "long-link": make(
        name="l", type=tarfile.SYMTYPE, linkname="t" * 150, pax_headers={"linkpath": "t" * 150}
    ),
    "path-record-equal": make(name="p", pax_headers={"path": "p", "uid": "0", "size": "0"}),
    "path-record-differs": make(name="p", pax_headers={"path": "q", "uid": "1"}),
    "other-records": make(name="a", pax_headers={"SCHILY.xattr.user.k": "v\x00w", "x": ""}),
    "sparse-record": make(name="a", pax_headers={"GNU.sparse.major": "1"}),
    "unicode-name": make(name="caf\u00e9", pax_headers={"path": "caf\u00e9"}),
    "surrogate-name": make(name="a\udcff", pax_headers={"mtime": "1"}),
    "long-uname": make(name="a", uname="u" * 40, pax_headers={"uname": "u" * 40}),
    "directory": make(name="d", type=tarfile.DIRTYPE, mode=0o755, pax_headers={"mtime": "9"}),
    "file-with-slash": make(name="f/", pax_headers={"mtime": "1"}),
    "big-size": make(name="a", size=8**11, pax_headers={"mtime": "1"}),
    "big-uid": make(name="a", uid=8**7, pax_headers={"mtime": "1"}),
    "device": make(name="dev/null", type=tarfile.CHRTYPE, devmajor=1, devminor=3),
    "hardlink": make(name="h", type=tarfile.LNKTYPE, linkname="a", size=5),
    "float-mtime": make(name="a", mtime=1.5),
    "hdrcharset": make(name="a", pax_headers={"hdrcharset": "BINARY"}),
}


@pytest.mark.parametrize("info", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("name", [None, "renamed/entry"])
def test_usual_entries_match_the_general_path(info: tarfile.TarInfo, name: str | None) -> None:
    assert quick(info, name) == general(info, name)


_text = st.one_of(
    st.text(st.sampled_from("ab/."), max_size=110),
    st.text(st.sampled_from("ab/.\u00e9\x00 "), max_size=110),
)
_number = st.one_of(st.integers(0, 3), st.integers(0, 8**12), st.integers(-1, 8**7))
_records = st.dictionaries(
    st.sampled_from(["mtime", "path", "linkpath", "uname", "uid", "size", "comment"]),
    st.one_of(_text, st.integers(0, 10**12).map(str), st.just("12.000000000"), st.just("1.")),
    max_size=3,
)


@settings(max_examples=1000, deadline=None)
@given(
    kind=st.sampled_from([b"0", b"1", b"2", b"5", b"3", b"\x00", b"g"]),
    name=_text,
    linkname=_text,
    uname=_text,
    size=_number,
    uid=_number,
    mtime=_number,
    records=_records,
    rename=st.one_of(st.none(), _text),
)
def test_any_entry_matches_the_general_path(
    kind: bytes,
    name: str,
    linkname: str,
    uname: str,
    size: int,
    uid: int,
    mtime: int,
    records: dict[str, str],
    rename: str | None,
) -> None:
    info = make(
        name=name, type=kind, linkname=linkname, uname=uname, size=size % 5000, uid=uid,
        mtime=mtime, pax_headers=records,
    )  # fmt: skip
    assert quick(info, rename) == general(info, rename)
