"""TarStream reads every entry and its data exactly as tarfile's stream mode does."""

from __future__ import annotations

import io
import tarfile

import pytest

from containerregistry.mutate._tarstream import TarStream

_FIELDS = ("name", "type", "linkname", "size", "mode", "uid", "gid", "uname", "gname", "mtime")


def _archive(format: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as tar:
        entries = [
            ("dir", tarfile.DIRTYPE, b"", ""),
            ("dir/file.txt", tarfile.REGTYPE, b"hello" * 300, ""),
            ("dir/" + "long/" * 30 + "name.bin", tarfile.REGTYPE, bytes(range(256)) * 9, ""),
            ("dir/link", tarfile.SYMTYPE, b"", "file.txt"),
            ("dir/hard", tarfile.LNKTYPE, b"", "dir/file.txt"),
            ("dir/empty", tarfile.REGTYPE, b"", ""),
        ]
        if format != tarfile.USTAR_FORMAT:  # names and targets USTAR cannot hold
            entries.append(("dir/" + "x" * 120, tarfile.SYMTYPE, b"", "y" * 130))
            entries.append(("dir/caf\u00e9", tarfile.REGTYPE, "\u00e9".encode() * 700, ""))
        for number, (name, kind, data, target) in enumerate(entries):
            info = tarfile.TarInfo(name)
            info.type, info.size, info.linkname = kind, len(data), target
            info.mtime = 1_700_000_000 + number + (0.25 if format == tarfile.PAX_FORMAT else 0)
            info.uid, info.uname = (
                (70_000_000, "someone") if format != tarfile.USTAR_FORMAT else (7, "u")
            )
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Trickle(io.RawIOBase):
    """Hands out its data a few bytes at a time, so headers straddle reads."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data, self._step, self._pos = data, step, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        piece = self._data[self._pos : self._pos + min(self._step, size)]
        self._pos += len(piece)
        return piece


@pytest.mark.parametrize(
    "format",
    [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT],
    ids=["ustar", "gnu", "pax"],
)
@pytest.mark.parametrize("step", [1 << 20, 700, 511], ids=["large-reads", "700", "511"])
def test_entries_and_data_match_tarfile(format: int, step: int) -> None:
    data = _archive(format)
    expected = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|") as tar:
        for info in tar:
            body = tar.extractfile(info).read() if info.isreg() else None  # type: ignore[union-attr]
            expected.append(([getattr(info, f) for f in _FIELDS], info.pax_headers, body))
    stream = TarStream(_Trickle(data, step))  # type: ignore[arg-type]
    got = []
    for info in stream:
        body = None
        if info.isreg():
            reader, parts = stream.body(info), []
            while piece := reader.read(1000):
                parts.append(bytes(piece))
            body = b"".join(parts)
        got.append(([getattr(info, f) for f in _FIELDS], info.pax_headers, body))
    assert got == expected


def test_empty_stream_is_an_error_as_in_tarfile() -> None:
    with pytest.raises(tarfile.ReadError, match="empty file"):
        list(TarStream(io.BytesIO(b"")))
