"""The read-ahead of extract's layer streams: same chunks, same errors, and it stops."""

from __future__ import annotations

import io
import threading
from typing import BinaryIO, cast

import pytest

from containerregistry.mutate import _extract


class _Source(io.RawIOBase):
    """Hands out ``chunks`` one per read, then raises ``error`` (if any), and records close."""

    def __init__(self, chunks: list[bytes], error: Exception | None = None) -> None:
        self._chunks, self._error = list(chunks), error
        self.reads = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self._chunks:
            return self._chunks.pop(0)
        if self._error is not None:
            raise self._error
        return b""


def _ahead(source: _Source) -> _extract._ReadAhead:
    return _extract._ReadAhead(cast("BinaryIO", source))


def test_chunks_come_in_order_and_cut_to_size() -> None:
    ahead = _ahead(_Source([b"abcdef", b"gh"]))
    assert [ahead.read(4), ahead.read(4), ahead.read(), ahead.read(), ahead.read()] == [
        b"abcd",
        b"ef",
        b"gh",
        b"",
        b"",
    ]
    ahead.close()


def test_an_error_is_raised_after_the_data_before_it() -> None:
    ahead = _ahead(_Source([b"ab"], ValueError("digest mismatch")))
    assert ahead.read(10) == b"ab"
    with pytest.raises(ValueError, match="digest mismatch"):
        ahead.read(10)
    assert ahead.read(10) == b""
    ahead.close()


def test_close_stops_the_thread_and_closes_the_source() -> None:
    source = _Source([b"x" * 10] * 100)
    ahead = _ahead(source)
    assert ahead.read(1) == b"x"
    ahead.close()
    assert source.closed
    assert not [t for t in threading.enumerate() if t.name == "mutate-read-ahead"]
    assert source.reads < 100  # it read a few chunks ahead, not the whole source


def test_an_opener_runs_on_the_thread_and_its_error_comes_at_read() -> None:
    calls: list[str] = []

    def opener() -> BinaryIO:
        calls.append(threading.current_thread().name)
        raise OSError("HTTP 404 for the blob")

    ahead = _extract._ReadAhead(opener)
    assert calls == []  # nothing is opened until started or read
    with pytest.raises(OSError, match="HTTP 404 for the blob"):
        ahead.read(10)
    assert calls == ["mutate-read-ahead"]
    ahead.close()


def test_start_reads_before_the_first_read() -> None:
    source = _Source([b"ab", b"cd"])
    ahead = _extract._ReadAhead(lambda: cast("BinaryIO", source))
    ahead.start()
    assert ahead.read() == b"ab"
    assert [ahead.read(), ahead.read()] == [b"cd", b""]
    ahead.close()
    assert source.closed
