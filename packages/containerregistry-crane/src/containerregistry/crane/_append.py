"""``append``: put tarballs on top of an image as new layers, as ``crane append`` does."""

from __future__ import annotations

import os
import stat
import sys
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer

#: What ``append`` reads standard input from when a path is ``-``.
STDIN = "-"


def _is_pipe(path: str) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:
        return False


def layer_from_path(path: str | os.PathLike[str]) -> Layer:
    """Return the layer ``append`` makes from ``path`` (``-`` is standard input).

    A regular file is read as a tar, gzip or zstd blob: compressed blobs are kept
    byte for byte (so their digests match crane's), an uncompressed tar is gzipped
    at level 1. Standard input and pipes are spooled to a temporary file first and
    then treated the same (crane re-gzips them even when they are compressed
    already, which makes a layer no runtime can unpack; we keep them as they are).
    Raises ``OSError`` if the file cannot be read.
    """
    from containerregistry import tarball

    text = os.fspath(path)
    if text == STDIN:
        return tarball.layer_from_reader(sys.stdin.buffer)
    if _is_pipe(text):
        with open(text, "rb") as pipe:
            return tarball.layer_from_reader(pipe)
    return tarball.layer_from_file(text)


def _streamed_layer(path: str) -> Layer | None:
    """A stream layer gzipping the regular, uncompressed tar file at ``path``, or None.

    Pushed, it is compressed while it is uploaded rather than into a temporary copy
    first; a resumed upload reopens the file. Same bytes, same digest.
    """
    from containerregistry import compression, stream

    if path == STDIN or not os.path.isfile(path):
        return None
    with open(path, "rb") as probe:
        if compression.sniff(probe.read(16)) is not compression.Compression.NONE:
            return None

    def reopen() -> BinaryIO:
        return open(path, "rb")

    return stream.Layer(reopen(), reopen=reopen)


def append(base: Image, *paths: str | os.PathLike[str], streamed: bool = False) -> Image:
    """Return ``base`` with one new layer per path on top (``crane.Append``).

    Each path is a tar, a gzip or zstd compressed tar, or ``-`` for standard input
    (see :func:`layer_from_path`). Layer media types follow the base: the OCI layer
    type on an OCI manifest, the Docker one otherwise, and the OCI zstd type for a
    zstd blob whatever the base. Each layer adds a diff_id and a history entry with
    the zero time; the config's ``created`` is not touched. On a Windows base each
    tar is rewritten as crane does (under ``Files/``, see
    :func:`containerregistry.crane._windows.windows_layer`). Layers are read now (to
    know their digests); the new config and manifest are computed when first used.

    ``streamed`` (default False; for an image that is only pushed): an uncompressed
    tar file (not on a Windows base) becomes a :class:`containerregistry.stream.Layer`
    instead, gzipped while :func:`containerregistry.remote.write` uploads it; its
    digest, the config and the manifest are known only after that.
    """
    from containerregistry import mutate
    from containerregistry.crane._windows import for_base, is_windows

    streaming = streamed and not is_windows(base)  # Windows layers are rewritten
    layers = [
        (_streamed_layer(os.fspath(path)) if streaming else None) or layer_from_path(path)
        for path in paths
    ]
    layers = for_base(base, layers)
    return mutate.append_layers(base, *layers, follow_base=True)
