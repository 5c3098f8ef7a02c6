"""Layers for Windows base images: what ``crane append`` puts on a Windows base.

A Windows container reads a layer's files from ``Files/`` (and its registry from
``Hives/``), and runs a file only if it carries a security descriptor. crane
(ggcr's ``internal/windows``) therefore rewrites each appended tar: the ``Files``
and ``Hives`` directories first (mode 0555, PAX format), then every entry under
``Files/`` (its name joined and cleaned as Go's ``path.Join`` does, PAX format),
each with the PAX record ``MSWINDOWS.rawsd`` below; then it gzips the result.
"""

from __future__ import annotations

import dataclasses
import posixpath
import tarfile
import tempfile
from typing import TYPE_CHECKING

from containerregistry.crane._errors import InputError

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer

#: The PAX record that carries a Windows security descriptor.
SECURITY_DESCRIPTOR_RECORD = "MSWINDOWS.rawsd"
#: Owner and group BUILTIN\Users (SDDL ``O:BUG:BU``), base64: the descriptor ggcr gives
#: every entry, which lets the file be executed in a Windows container.
USERS_SECURITY_DESCRIPTOR = (
    "AQAAgBQAAAAkAAAAAAAAAAAAAAABAgAAAAAABSAAAAAhAgAAAQIAAAAAAAUgAAAAIQIAAA=="
)
_ROOTS = ("Files", "Hives")


def is_windows(image: Image) -> bool:
    """Whether ``image``'s config says ``"os": "windows"``."""
    config = image.config_file()
    return config is not None and config.os == "windows"


def _under_files(name: str) -> str:
    """``path.Join("Files", name)``: joined, then cleaned as Go cleans paths."""
    joined = posixpath.normpath(posixpath.join("Files", name.lstrip("/")))
    return joined.lstrip("/") if joined.startswith("//") else joined


def windows_layer(layer: Layer) -> Layer:
    """Return ``layer`` rewritten for a Windows base image, gzipped at level 1.

    Reads the whole layer now (spooled to an unnamed temporary file, so memory
    stays flat). Raises :class:`InputError` when an entry is already under
    ``Files/``: such a tar was made for Windows and must not be nested again.
    """
    from containerregistry import tarball
    from containerregistry.archive import TarFormat, TarHeader, TarWriter

    with tempfile.TemporaryFile() as spool:
        writer = TarWriter(spool)
        for root in _ROOTS:
            writer.add(
                TarHeader(name=root, typeflag=tarfile.DIRTYPE, mode=0o555, format=TarFormat.PAX)
            )
        with layer.uncompressed() as source, tarfile.open(fileobj=source, mode="r|") as archive:
            for info in archive:
                if info.name.startswith("Files/") or (info.isdir() and info.name == "Files"):
                    raise InputError(
                        f"the layer's entry {info.name!r} is already under Files/: it was "
                        "made for Windows; append it to a Linux base or without Files/"
                    )
                header = TarHeader.from_tarinfo(info, format=TarFormat.PAX)
                header = dataclasses.replace(
                    header,
                    name=_under_files(info.name),
                    pax_records={
                        **header.pax_records,
                        SECURITY_DESCRIPTOR_RECORD: USERS_SECURITY_DESCRIPTOR,
                    },
                )
                writer.add(header, archive.extractfile(info) if info.isreg() else None)
        writer.close()
        spool.seek(0)
        return tarball.layer_from_reader(spool)


def for_base(base: Image, layers: list[Layer]) -> list[Layer]:
    """``layers`` as they go on ``base``: rewritten by :func:`windows_layer` on Windows."""
    if not is_windows(base):
        return layers
    return [windows_layer(layer) for layer in layers]
