"""compression: sniffing, deterministic compression, and checked decompression."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import zlib

import pytest

from containerregistry.compression import (
    Compression,
    CompressionLevelError,
    DecompressionError,
    compress,
    decompress,
    peek,
    sniff,
)

SAMPLE = os.urandom(1 << 20) + b"layer bytes " * 300_000  # > 4 MiB, mixed entropy


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


def gz(data: bytes, level: int | None = None) -> bytes:
    return compress(io.BytesIO(data), algorithm=Compression.GZIP, level=level).read()


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        pytest.param(b"\x1f\x8b\x08\x00", Compression.GZIP, id="gzip"),
        pytest.param(b"\x28\xb5\x2f\xfd", Compression.ZSTD, id="zstd"),
        pytest.param(b"\x28\xb5\x2f", Compression.NONE, id="zstd-too-short"),
        pytest.param(b"ustar", Compression.NONE, id="tar"),
        pytest.param(b"", Compression.NONE, id="empty"),
    ],
)
def test_sniff(prefix: bytes, expected: Compression) -> None:
    assert sniff(prefix) is expected


@pytest.mark.parametrize("step", [1, 3, 1 << 20])
def test_peek_gives_back_every_byte(step: int) -> None:
    data = gzip.compress(b"hello")
    kind, stream = peek(Trickle(data, step))  # type: ignore[arg-type]
    assert kind is Compression.GZIP
    assert stream.read() == data


def test_peek_readinto_after_prefix() -> None:
    kind, stream = peek(io.BytesIO(b"plain text here"))
    assert kind is Compression.NONE
    buffer = bytearray(100)
    got = b""
    while n := stream.readinto(buffer):  # type: ignore[attr-defined]
        got += buffer[:n]
    assert got == b"plain text here"


@pytest.mark.parametrize(
    ("level", "xfl"),
    [pytest.param(None, 4, id="default-1"), (1, 4), (6, 0), (9, 2), (0, 0)],
)
def test_gzip_header_is_gos(level: int | None, xfl: int) -> None:
    out = gz(b"data", level)
    # magic, deflate, no flags, mtime 0, XFL for the level, OS 255 (unknown)
    assert out[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00" + bytes([xfl]) + b"\xff"
    assert gzip.decompress(out) == b"data"


def test_gzip_trailer_has_crc_and_size() -> None:
    out = gz(SAMPLE)
    assert int.from_bytes(out[-8:-4], "little") == zlib.crc32(SAMPLE)
    assert int.from_bytes(out[-4:], "little") == len(SAMPLE)


@pytest.mark.parametrize("algorithm", [Compression.GZIP, Compression.ZSTD])
def test_compression_is_deterministic_whatever_the_read_sizes(algorithm: Compression) -> None:
    whole = compress(io.BytesIO(SAMPLE), algorithm=algorithm).read()
    trickled = compress(Trickle(SAMPLE, 65_537), algorithm=algorithm)  # type: ignore[arg-type]
    pieces = b""
    while chunk := trickled.read(4096):
        pieces += chunk
    assert pieces == whole
    assert compress(io.BytesIO(SAMPLE), algorithm=algorithm).read() == whole


@pytest.mark.parametrize(
    ("algorithm", "tool"),
    [(Compression.GZIP, "gzip"), (Compression.ZSTD, "zstd")],
)
def test_command_line_tools_read_our_output(algorithm: Compression, tool: str) -> None:
    assert shutil.which(tool), f"{tool} is not installed: run tools/services up (installs it)"
    out = compress(io.BytesIO(SAMPLE), algorithm=algorithm).read()
    result = subprocess.run([tool, "-d", "-c"], input=out, capture_output=True, check=True)
    assert result.stdout == SAMPLE


def test_zstd_frame_magic_and_default_level() -> None:
    out = compress(io.BytesIO(b"x" * 1000), algorithm=Compression.ZSTD).read()
    assert sniff(out) is Compression.ZSTD
    level3 = compress(io.BytesIO(b"x" * 1000), algorithm=Compression.ZSTD, level=3).read()
    assert out == level3


def test_none_passes_the_stream_through() -> None:
    source = io.BytesIO(b"raw")
    assert compress(source, algorithm=Compression.NONE) is source


@pytest.mark.parametrize(
    ("algorithm", "level"),
    [
        (Compression.GZIP, 10),
        (Compression.GZIP, -1),
        (Compression.ZSTD, 0),
        (Compression.ZSTD, 23),
    ],
)
def test_bad_levels_fail_up_front(algorithm: Compression, level: int) -> None:
    with pytest.raises(CompressionLevelError, match="level"):
        compress(io.BytesIO(b""), algorithm=algorithm, level=level)


@pytest.mark.parametrize("algorithm", [Compression.GZIP, Compression.ZSTD, Compression.NONE])
def test_round_trip(algorithm: Compression) -> None:
    packed = compress(io.BytesIO(SAMPLE), algorithm=algorithm).read()
    assert decompress(io.BytesIO(packed)).read() == SAMPLE


def test_decompress_reads_gzip_made_elsewhere() -> None:
    assert decompress(io.BytesIO(gzip.compress(SAMPLE, mtime=5))).read() == SAMPLE


@pytest.mark.parametrize("algorithm", [Compression.GZIP, Compression.ZSTD])
def test_concatenated_members(algorithm: Compression) -> None:
    parts = [compress(io.BytesIO(p), algorithm=algorithm).read() for p in (b"ab", b"", b"cd")]
    assert decompress(io.BytesIO(b"".join(parts))).read() == b"abcd"


def test_empty_input_is_empty() -> None:
    assert decompress(io.BytesIO(b"")).read() == b""


@pytest.mark.parametrize("algorithm", [Compression.GZIP, Compression.ZSTD])
@pytest.mark.parametrize("cut", [1, 7, 1000])
def test_truncated_input_is_an_error(algorithm: Compression, cut: int) -> None:
    packed = compress(io.BytesIO(SAMPLE), algorithm=algorithm).read()
    with pytest.raises(DecompressionError, match="truncated"):
        decompress(io.BytesIO(packed[:-cut])).read()


@pytest.mark.parametrize(
    ("algorithm", "where"),
    [(Compression.GZIP, "member 1"), (Compression.ZSTD, "frame 1")],
)
def test_corrupt_input_is_an_error(algorithm: Compression, where: str) -> None:
    packed = bytearray(compress(io.BytesIO(SAMPLE), algorithm=algorithm).read())
    packed[len(packed) // 2] ^= 0xFF
    packed[len(packed) // 2 + 1] ^= 0xFF
    with pytest.raises(DecompressionError, match=where):
        decompress(io.BytesIO(bytes(packed))).read()


def test_gzip_crc_mismatch_is_an_error() -> None:
    packed = bytearray(gz(b"hello world"))
    packed[-6] ^= 0x01  # inside the CRC-32
    with pytest.raises(DecompressionError, match="fetch it again"):
        decompress(io.BytesIO(bytes(packed))).read()


def test_trailing_garbage_after_gzip_is_an_error() -> None:
    with pytest.raises(DecompressionError, match="after the last gzip member"):
        decompress(io.BytesIO(gz(b"a") + b"not gzip")).read()


def test_decompression_output_is_bounded_per_read() -> None:
    bomb = gz(bytes(64 << 20))  # 64 MiB of zeros in ~64 KiB
    stream = decompress(io.BytesIO(bomb))
    first = stream.read(1 << 30)
    assert 0 < len(first) <= 1 << 20


def test_closing_the_result_closes_the_source() -> None:
    source = io.BytesIO(gz(b"x"))
    decompress(source).close()
    assert source.closed
