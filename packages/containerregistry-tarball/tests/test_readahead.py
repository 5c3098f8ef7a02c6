"""ReadAhead: the same bytes, the source's errors where they happened, a thread that stops."""

from __future__ import annotations

import io
import os
import threading

import pytest

from containerregistry.tarball._readahead import ReadAhead


@pytest.mark.parametrize(
    ("size", "read_size"),
    [
        pytest.param(0, 100, id="empty"),
        pytest.param(10, 3, id="small-reads"),
        pytest.param(5000, 1024, id="several-chunks"),
        pytest.param(5000, 100_000, id="larger-reads"),
    ],
)
def test_same_bytes(size: int, read_size: int) -> None:
    data = os.urandom(size)
    with ReadAhead(io.BytesIO(data), chunk_size=1000, depth=2) as ahead:
        pieces = iter(lambda: ahead.read(read_size), b"")
        assert b"".join(pieces) == data
        assert ahead.read(1) == b""


class Failing(io.BytesIO):
    """Gives its data, then fails where a verifying reader finds a bad digest: at the end."""

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data:
            raise ValueError("digest mismatch")
        return data


def test_an_error_comes_after_the_data_before_it() -> None:
    data = os.urandom(2500)
    with ReadAhead(Failing(data), chunk_size=1000) as ahead:
        assert ahead.read(2500) == data[:1000]
        assert ahead.read(2500) + ahead.read(2500) == data[1000:]
        with pytest.raises(ValueError, match="digest mismatch"):
            ahead.read(1)


def test_closing_early_stops_the_thread() -> None:
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            return b"x" * (size or 1)

    before = threading.active_count()
    ahead = ReadAhead(Endless(), chunk_size=10, depth=2)  # type: ignore[arg-type]
    assert ahead.read(5) == b"xxxxx"
    ahead.close()
    assert threading.active_count() == before
    with pytest.raises(ValueError, match="closed"):
        ahead.read(1)
