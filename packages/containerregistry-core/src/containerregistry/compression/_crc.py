"""Joining CRC-32 values of consecutive pieces without reading the data again.

CRC-32 is linear over GF(2): appending ``n`` bytes to a message moves its register
through a fixed linear map (the one that ``n`` zero bytes apply), so
``crc(a + b) == shift(crc(a), len(b)) ^ crc(b)``. The map is a 32x32 bit matrix,
kept here as 32 column words; the one for ``n`` bytes is built by squaring, and
cached because parallel gzip asks for the same block size again and again.
"""

from __future__ import annotations

import functools

#: The reflected CRC-32 polynomial (IEEE 802.3), as zlib and gzip use it.
_POLYNOMIAL = 0xEDB88320

_Matrix = tuple[int, ...]


def _apply(matrix: _Matrix, vector: int) -> int:
    """Multiply ``matrix`` (32 column words) by the 32-bit ``vector``."""
    result = 0
    column = 0
    while vector:
        if vector & 1:
            result ^= matrix[column]
        vector >>= 1
        column += 1
    return result


def _compose(outer: _Matrix, inner: _Matrix) -> _Matrix:
    """The matrix that applies ``inner`` and then ``outer``."""
    return tuple(_apply(outer, word) for word in inner)


def _one_zero_bit() -> _Matrix:
    # Shifting the reflected register right by one bit, folding in the polynomial
    # when the bit that falls out is set: column 0 is the polynomial, column k the
    # unit vector k-1.
    return (_POLYNOMIAL, *(1 << bit for bit in range(31)))


@functools.cache
def _zero_bytes(count: int) -> _Matrix:
    """The map that ``count`` zero bytes (``count`` >= 1) apply to a CRC register."""
    if count == 1:
        bits = _one_zero_bit()
        for _ in range(3):  # 1 -> 2 -> 4 -> 8 bits
            bits = _compose(bits, bits)
        return bits
    half = _zero_bytes(count // 2)
    both = _compose(half, half)
    return _compose(_zero_bytes(1), both) if count % 2 else both


def crc32_combine(first: int, second: int, second_length: int) -> int:
    """Return the CRC-32 of ``a + b`` from ``crc32(a)``, ``crc32(b)`` and ``len(b)``."""
    if second_length <= 0:
        return first
    return _apply(_zero_bytes(second_length), first) ^ second
