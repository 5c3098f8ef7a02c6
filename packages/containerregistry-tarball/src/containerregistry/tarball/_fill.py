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

from containerregistry.tarball._errors import TarballError
from containerregistry.v1 import Layer

#: Bytes per read of a layer and per ``pwrite``.
CHUNK_SIZE = 1 << 20
#: How often the waiting thread wakes to notice a Ctrl-C.
_POLL_SECONDS = 0.1


@dataclasses.dataclass(frozen=True)
class Gap:
    """Where ``layer``'s ``size`` bytes of data go in the file: from byte ``offset``."""

    layer: Layer
    offset: int
    size: int


class _Stopped(Exception):
    """Another layer failed: this one gave up between chunks."""


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
    The first failure stops the other layers at their next chunk and is raised.
    """
    stop = threading.Event()

    def write_one(gap: Gap) -> None:
        try:
            _write_layer(fd, gap, stop, on_written)
        except _Stopped:
            raise
        except BaseException:
            stop.set()
            raise

    ordered = sorted(gaps, key=lambda gap: -gap.size)
    if jobs <= 1 or len(ordered) <= 1:
        for gap in ordered:
            write_one(gap)
        return
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=min(jobs, len(ordered)), thread_name_prefix="tarball-fill"
    ) as pool:
        futures = [pool.submit(write_one, gap) for gap in ordered]
        pending = set(futures)
        try:
            # In short waits, so that a Ctrl-C reaches this thread while layers move.
            while pending and not stop.is_set():
                _, pending = concurrent.futures.wait(
                    pending, timeout=_POLL_SECONDS, return_when=concurrent.futures.FIRST_EXCEPTION
                )
        except BaseException:  # Ctrl-C while waiting: the workers stop too
            stop.set()
            raise
        finally:
            if stop.is_set():
                for future in futures:
                    future.cancel()
    failures = [
        error
        for future in futures
        if not future.cancelled()
        and (error := future.exception()) is not None
        and not isinstance(error, _Stopped)
    ]
    if failures:
        raise failures[0]


def _write_layer(
    fd: int, gap: Gap, stop: threading.Event, on_written: Callable[[int], None]
) -> None:
    buffer = memoryview(bytearray(CHUNK_SIZE))
    written = 0
    with gap.layer.compressed() as stream:
        while True:
            if stop.is_set():
                raise _Stopped()
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
