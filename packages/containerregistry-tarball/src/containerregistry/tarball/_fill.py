"""Writing a tarball's layers at once: the entries first, then each layer's data in place.

A tarball holds its layers one after another, but every layer's size is known
before any of its bytes are read, so every entry's place in the file is known
too. Writing to a regular file, the writer lays down the headers, the configs and
``manifest.json`` and leaves a gap for each layer's data; ``jobs`` threads then
fetch the layers, largest first, and write each into its gap with ``os.pwrite``.
The file's bytes equal what the streaming writer produces.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import threading
from collections.abc import Callable
from typing import BinaryIO

from containerregistry import workers
from containerregistry.tarball._errors import TarballError
from containerregistry.v1 import Layer

#: Bytes per read of a layer and per ``pwrite``.
CHUNK_SIZE = 1 << 20


@dataclasses.dataclass(frozen=True)
class Gap:
    """Where ``layer``'s ``size`` bytes of data go in the file: from byte ``offset``."""

    layer: Layer
    offset: int
    size: int


def fill(
    fd: int,
    gaps: list[Gap],
    *,
    jobs: int,
    on_written: Callable[[int], None],
) -> None:
    """Fetch every gap's layer and write it at its offset in ``fd``.

    ``jobs`` layers are read at once, the largest first. Each must hold exactly
    its declared size (and verify, when its stream checks its digest at the end).
    ``on_written`` gets the byte count of every chunk written, from any thread.
    The first failure (or a Ctrl-C) stops the other layers at their next chunk and
    is raised (see :func:`containerregistry.workers.wait`).
    """
    stop = threading.Event()
    ordered = sorted(gaps, key=lambda gap: -gap.size)
    if jobs <= 1 or len(ordered) <= 1:
        for gap in ordered:
            _write_layer(fd, gap, stop, on_written)
        return
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=min(jobs, len(ordered)), thread_name_prefix="tarball-fill"
    ) as pool:
        write = workers.guarded(stop, _write_layer)
        futures = [pool.submit(write, fd, gap, stop, on_written) for gap in ordered]
        workers.wait(futures, stop)


def _write_layer(
    fd: int, gap: Gap, stop: threading.Event, on_written: Callable[[int], None]
) -> None:
    buffer = memoryview(bytearray(CHUNK_SIZE))
    written = 0
    with gap.layer.compressed() as stream:
        while True:
            workers.check(stop)
            count = _read_into(stream, buffer)
            if not count:  # the end: a verifying stream has checked the digest
                break
            if written + count > gap.size:
                raise TarballError(
                    f"layer {gap.layer.digest()} holds more than the {gap.size} bytes it declares"
                )
            _pwrite_all(fd, buffer[:count], gap.offset + written)
            written += count
            on_written(count)
    if written != gap.size:
        raise TarballError(
            f"layer {gap.layer.digest()} declares {gap.size} bytes but its stream ended "
            f"after {written}; the tarball is incomplete"
        )


def _read_into(stream: BinaryIO, buffer: memoryview) -> int:
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return int(readinto(buffer) or 0)
    chunk = stream.read(len(buffer))
    buffer[: len(chunk)] = chunk
    return len(chunk)


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while data:
        count = os.pwrite(fd, data, offset)
        data = data[count:]
        offset += count
