"""compression: gzip in parallel blocks (deterministic whatever the workers) and the
fast inflaters (isal, zlib-ng) beside zlib."""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import subprocess
import tracemalloc
import zlib

import pytest

from containerregistry.compression import DecompressionError, _inflate, compress, decompress
from containerregistry.compression._crc import crc32_combine
from containerregistry.compression._gzip import BLOCK_SIZE, GzipDecompressor

MIB = 1 << 20


def layer_like(size: int, seed: int = 7) -> bytes:
    """Mixed entropy, like a tar of binaries and text: random runs and repeated words."""
    rng = random.Random(seed)
    parts = []
    total = 0
    while total < size:
        if rng.random() < 0.3:
            part = rng.randbytes(rng.randrange(1, 40_000))
        else:
            part = rng.choice([b"usr/lib/", b"libc.so.6 ", b"\x00" * 64, b"GLIBC_2.34"]) * 500
        parts.append(part)
        total += len(part)
    return b"".join(parts)[:size]


SIZES = {
    "empty": 0,
    "small": 1000,
    "one-block": BLOCK_SIZE,
    "block-plus-one": BLOCK_SIZE + 1,
    "three-blocks": 3 * BLOCK_SIZE,
    "five-and-a-half-blocks": 5 * BLOCK_SIZE + BLOCK_SIZE // 2,
}
DATA = {name: layer_like(size) for name, size in SIZES.items()}
INFLATERS = [name for name in _inflate.PREFERENCE if _inflate.load(name) is not None]


class Trickle(io.RawIOBase):
    """A source that hands out at most ``step`` bytes per read (like a pipe)."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        n = self._step if size is None or size < 0 else min(size, self._step)
        chunk, self._data = self._data[:n], self._data[n:]
        return chunk.tobytes()


class CountingZeros(io.RawIOBase):
    """``size`` bytes that exist only while read; counts how far the reader got."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.read_so_far = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        n = min(self.remaining, MIB if size is None or size < 0 else size)
        self.remaining -= n
        self.read_so_far += n
        return bytes(n)


def gz(data: bytes, *, workers: int, level: int | None = None) -> bytes:
    return compress(io.BytesIO(data), level=level, workers=workers).read()


@pytest.mark.parametrize("name", list(SIZES))
def test_bytes_do_not_depend_on_worker_count(name: str) -> None:
    data = DATA[name]
    outputs = {workers: gz(data, workers=workers) for workers in (1, 2, 4)}
    assert outputs[1] == outputs[2] == outputs[4]
    assert gzip.decompress(outputs[1]) == data


@pytest.mark.parametrize("level", [0, 1, 6, 9])
def test_bytes_do_not_depend_on_worker_count_at_any_level(level: int) -> None:
    data = DATA["three-blocks"]
    assert gz(data, workers=1, level=level) == gz(data, workers=3, level=level)
    assert gzip.decompress(gz(data, workers=2, level=level)) == data


def test_bytes_do_not_depend_on_how_the_source_splits_its_reads() -> None:
    data = DATA["five-and-a-half-blocks"]
    trickled = compress(Trickle(data, 65_537), workers=2).read()  # type: ignore[arg-type]
    assert trickled == gz(data, workers=4)


@pytest.mark.parametrize("name", ["empty", "small", "one-block"])
def test_one_block_gives_the_bytes_of_one_zlib_stream(name: str) -> None:
    # Layers of up to 1 MiB keep the digests they had before blocks existed.
    data = DATA[name]
    deflate = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    assert gz(data, workers=4)[10:-8] == body


def test_blocks_cost_almost_nothing_in_size() -> None:
    data = DATA["five-and-a-half-blocks"]
    deflate = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    single = len(deflate.compress(data) + deflate.flush())
    assert len(gz(data, workers=2)) < single * 1.01


@pytest.mark.parametrize("name", list(SIZES))
def test_trailer_has_crc_and_size(name: str) -> None:
    out = gz(DATA[name], workers=2)
    assert int.from_bytes(out[-8:-4], "little") == zlib.crc32(DATA[name])
    assert int.from_bytes(out[-4:], "little") == len(DATA[name])


def test_gzip_command_reads_our_blocks() -> None:
    assert shutil.which("gzip"), "gzip is not installed: run tools/services up (installs it)"
    data = DATA["five-and-a-half-blocks"]
    out = gz(data, workers=4)
    done = subprocess.run(["gzip", "-d", "-c"], input=out, capture_output=True, check=True)
    assert done.stdout == data
    tested = subprocess.run(["gzip", "-t"], input=out, capture_output=True, check=False)
    assert tested.returncode == 0, tested.stderr


def test_memory_stays_bounded_for_a_large_input() -> None:
    workers = 4
    source = CountingZeros(96 * MIB)
    stream = compress(source, workers=workers)  # type: ignore[arg-type]
    tracemalloc.start()
    try:
        while stream.read(64 * 1024):
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert source.remaining == 0
    assert peak < 4 * workers * BLOCK_SIZE


def test_read_ahead_is_the_window() -> None:
    source = CountingZeros(64 * MIB)
    stream = compress(source, workers=2)  # type: ignore[arg-type]
    stream.read(10)  # the header
    stream.read(1)  # the first block's data
    assert source.read_so_far <= (2 * 2 + 2) * BLOCK_SIZE
    stream.close()


@pytest.mark.parametrize(
    ("first", "second"),
    [(0, 0), (0, 5), (5, 0), (1, 1), (3, 1000), (BLOCK_SIZE, BLOCK_SIZE), (12_345, BLOCK_SIZE + 7)],
)
def test_crc32_combine(first: int, second: int) -> None:
    a, b = os.urandom(first), os.urandom(second)
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_bad_worker_count_fails_up_front() -> None:
    with pytest.raises(ValueError, match="workers"):
        compress(io.BytesIO(b""), workers=0)


def test_the_fastest_installed_inflater_is_used() -> None:
    assert _inflate.best().name == INFLATERS[0]


def inflate(data: bytes, inflater: str) -> bytes:
    chosen = _inflate.load(inflater)
    assert chosen is not None
    return GzipDecompressor(io.BytesIO(data), inflater=chosen).read()


@pytest.mark.parametrize("inflater", INFLATERS)
@pytest.mark.parametrize("name", list(SIZES))
def test_round_trip_with_each_inflater(inflater: str, name: str) -> None:
    data = DATA[name]
    assert inflate(gz(data, workers=2), inflater) == data
    assert inflate(gzip.compress(data, mtime=0), inflater) == data


@pytest.mark.parametrize("inflater", INFLATERS)
def test_each_inflater_reads_concatenated_members(inflater: str) -> None:
    members = b"".join(gz(part, workers=2) for part in (b"ab", b"", DATA["block-plus-one"]))
    assert inflate(members, inflater) == b"ab" + DATA["block-plus-one"]


@pytest.mark.parametrize("inflater", INFLATERS)
@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(lambda b: b[:-5], "truncated", id="truncated"),
        pytest.param(lambda b: b + b"not gzip", "after the last gzip member", id="garbage"),
        pytest.param(lambda b: b[:-8] + b"\0\0\0\0" + b[-4:], "fetch it again", id="bad-crc"),
        pytest.param(
            lambda b: b[:5000] + bytes(x ^ 0xFF for x in b[5000:5100]) + b[5100:],
            "member 1",
            id="corrupt",
        ),
    ],
)
def test_each_inflater_reports_damage(inflater: str, damage: object, message: str) -> None:
    packed = gz(DATA["three-blocks"], workers=2)
    with pytest.raises(DecompressionError, match=message):
        inflate(damage(packed), inflater)  # type: ignore[operator]


@pytest.mark.parametrize("inflater", INFLATERS)
def test_each_inflater_bounds_each_read(inflater: str) -> None:
    bomb = gz(bytes(64 * MIB), workers=2)
    chosen = _inflate.load(inflater)
    assert chosen is not None
    first = GzipDecompressor(io.BytesIO(bomb), inflater=chosen).read(1 << 30)
    assert 0 < len(first) <= MIB


def test_decompress_uses_the_fast_path_and_passes_plain_data() -> None:
    data = DATA["three-blocks"]
    assert decompress(io.BytesIO(gz(data, workers=2))).read() == data
    assert decompress(io.BytesIO(data)).read() == data
