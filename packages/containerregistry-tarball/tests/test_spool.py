"""The spool that keeps a compressed blob: memory while small, an unnamed file beyond."""

from __future__ import annotations

import concurrent.futures
import io
import os
import tempfile
from typing import Any

import pytest

from containerregistry.compression import Compression, compress, decompress
from containerregistry.tarball._spool import Spool, spool_compressed
from containerregistry.v1 import Hash


@pytest.mark.parametrize(
    ("sizes", "in_memory"),
    [
        pytest.param([], True, id="empty"),
        pytest.param([10, 20], True, id="small"),
        pytest.param([60, 40], True, id="exactly-the-limit"),
        pytest.param([60, 41], False, id="one-byte-over"),
        pytest.param([500, 7, 300], False, id="spilled"),
    ],
)
def test_readers_get_every_byte(sizes: list[int], in_memory: bool) -> None:
    parts = [os.urandom(size) for size in sizes]
    spool = Spool(memory_limit=100)
    for part in parts:
        spool.write(part)
    spool.seal()
    assert spool.in_memory is in_memory
    assert spool.size == sum(sizes)
    assert spool.open().read() == b"".join(parts)
    reader = spool.open()
    pieces = iter(lambda: reader.read(7), b"")
    assert b"".join(pieces) == b"".join(parts)


def test_concurrent_readers_are_independent() -> None:
    data = os.urandom(3 << 20)
    spool = Spool(memory_limit=1 << 20)
    spool.write(data)
    spool.seal()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: spool.open().read(), range(8)))
    assert results == [data] * 8


def test_writing_after_seal_and_reading_before_fail() -> None:
    spool = Spool()
    with pytest.raises(ValueError, match="seal it first"):
        spool.open()
    spool.seal()
    with pytest.raises(ValueError, match="read-only"):
        spool.write(b"x")


@pytest.mark.parametrize("algorithm", [Compression.GZIP, Compression.ZSTD], ids=["gzip", "zstd"])
def test_spool_compressed_measures_in_one_pass(algorithm: Compression) -> None:
    data = os.urandom(1 << 20) * 5 + b"tail"
    closed = []

    class Source(io.BytesIO):
        def close(self) -> None:
            closed.append(True)
            super().close()

    spool, digest, size, diff_id = spool_compressed(Source(data), algorithm=algorithm, level=1)
    blob = spool.open().read()
    with compress(io.BytesIO(data), algorithm=algorithm, level=1) as expected:
        assert blob == expected.read()
    assert (digest, size, diff_id) == (Hash.of(blob), len(blob), Hash.of(data))
    assert decompress(spool.open()).read() == data
    assert closed == [True]


def test_a_spilled_spool_leaves_no_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spool = Spool(memory_limit=10)
    spool.write(b"x" * 100)
    spool.seal()
    assert not spool.in_memory
    assert list(tmp_path.iterdir()) == []
    spool.close()
