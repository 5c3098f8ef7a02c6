"""Choosing the fastest installed inflate implementation for gzip decompression.

Inflating is the bound of ``crane export``, ``flatten`` and every diff_id that
has to be computed. python-isal (Intel's ISA-L) inflates about twice as fast as
zlib and python-zlib-ng about 1.5 times; both are well-kept, API-compatible
bindings, installed with the ``fast`` extra. Without them zlib does the work.
Compression always uses zlib, whatever is installed: its bytes are what make our
layer digests reproducible.
"""

from __future__ import annotations

import functools
import zlib
from typing import Any, NamedTuple

#: Tried in this order; the first that imports is used.
PREFERENCE = ("isal", "zlib-ng", "zlib")


class Inflater(NamedTuple):
    """A zlib-compatible module's ``decompressobj`` and the error it raises."""

    name: str
    decompressobj: Any
    error: type[Exception]


def load(name: str) -> Inflater | None:
    """Return the inflater called ``name`` (one of :data:`PREFERENCE`), or None if
    its package is not installed."""
    if name == "zlib":
        return Inflater("zlib", zlib.decompressobj, zlib.error)
    module: Any
    try:
        if name == "isal":
            from isal import isal_zlib

            module = isal_zlib
        elif name == "zlib-ng":
            from zlib_ng import zlib_ng

            module = zlib_ng
        else:
            raise ValueError(f"unknown inflater {name!r}: want one of {PREFERENCE}")
    except ImportError:
        return None
    return Inflater(name, module.decompressobj, module.error)


@functools.lru_cache(maxsize=1)
def best() -> Inflater:
    """The first installed inflater in :data:`PREFERENCE` (zlib at the end is always there)."""
    for name in PREFERENCE:
        found = load(name)
        if found is not None:
            return found
    raise AssertionError("zlib is always available")  # pragma: no cover
