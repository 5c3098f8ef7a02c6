"""``time`` and ``canonical``: images whose every timestamp is one chosen time."""

from __future__ import annotations

import dataclasses
import decimal
import tarfile
import threading
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import empty, types
from containerregistry.archive import TarFormat, TarHeader, TarWriter, TimeValue
from containerregistry.compression import Compression, compress
from containerregistry.mutate._append import Addendum
from containerregistry.mutate._image import MutatedImage
from containerregistry.mutate._spool import Spool
from containerregistry.v1 import Config, ConfigFile, Hash, History, Time

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer


def _tar_time(moment: Time) -> TimeValue:
    if moment.is_zero():
        return None  # Go's zero time: written as 0, and no atime/ctime records
    return decimal.Decimal(f"{moment.unix}.{moment.nanos:09d}")


class RetimedLayer:
    """``layer`` re-tarred with every entry's times set to one time, gzipped at level 1.

    The tar is written once, on first use, to a spool (memory, or a temporary file
    for large layers); the gzip stream is made again on each ``compressed()``
    call, which is deterministic. The media type is the Docker layer type, as
    ggcr's tarball layers.
    """

    def __init__(self, layer: Layer, moment: Time) -> None:
        self._layer = layer
        self._time = _tar_time(moment)
        self._lock = threading.Lock()
        self._spool: Spool | None = None
        self._diff_id: Hash | None = None
        self._digest: Hash | None = None
        self._size: int | None = None

    def _tar(self) -> Spool:
        with self._lock:
            if self._spool is None:
                spool = Spool()
                with self._layer.uncompressed() as source:
                    self._retar(source, spool)
                self._diff_id, _ = Hash.of_stream(spool.open())
                self._spool = spool
            return self._spool

    def _retar(self, source: BinaryIO, spool: Spool) -> None:
        writer = TarWriter(spool)
        with tarfile.open(fileobj=source, mode="r|") as archive:
            for info in archive:
                keeps_times = bool(info.pax_headers)
                header = TarHeader.from_tarinfo(
                    info, format=TarFormat.PAX if keeps_times else TarFormat.UNKNOWN
                )
                header = dataclasses.replace(
                    header,
                    mtime=self._time,
                    # PAX headers carry access and change times too: they get the same time.
                    atime=self._time if keeps_times else None,
                    ctime=self._time if keeps_times else None,
                )
                # Only regular files carry data, as in ggcr's layerTime.
                writer.add(header, archive.extractfile(info) if info.isreg() else None)
        writer.close()

    def _compressed_digest(self) -> tuple[Hash, int]:
        if self._digest is None or self._size is None:
            with self.compressed() as stream:
                self._digest, self._size = Hash.of_stream(stream)
        return self._digest, self._size

    def diff_id(self) -> Hash:
        """Return the sha256 of the new tar (re-tarring on first use)."""
        self._tar()
        assert self._diff_id is not None
        return self._diff_id

    def uncompressed(self) -> BinaryIO:
        """Open the new tar."""
        return self._tar().open()

    def compressed(self) -> BinaryIO:
        """Open the new tar gzipped at level 1 (the same bytes on every call)."""
        return compress(self._tar().open(), algorithm=Compression.GZIP, level=1)

    def digest(self) -> Hash:
        """Return the sha256 of the gzipped tar (compressing once to find it)."""
        return self._compressed_digest()[0]

    def size(self) -> int:
        """Return the size of the gzipped tar."""
        return self._compressed_digest()[1]

    def media_type(self) -> str:
        """Return the Docker layer media type."""
        return types.DOCKER_LAYER


def time(image: Image, moment: Time) -> Image:
    """Return ``image`` with every timestamp set to ``moment``.

    Every layer is re-tarred with ``moment`` as the modification time (and the
    access and change times of PAX entries) and gzipped at level 1; the config
    keeps architecture, OS, OS version and run config, gets ``created`` =
    ``moment`` and one history entry per layer holding only ``created``. The
    manifest is a Docker schema 2 manifest on the empty image, as crane makes it.
    Reads the image's layer list and config now; layers are re-tarred on first use.
    """
    original = image.config_file()
    layers = [RetimedLayer(layer, moment) for layer in image.layers()]
    start = ConfigFile(
        architecture=original.architecture,
        os=original.os,
        os_version=original.os_version,
        config=original.config,
        created=moment,
    )
    addenda = [Addendum(layer, history=History(created=moment)) for layer in layers]
    return MutatedImage(empty.image, config_file=start, adds=addenda)


def canonical(image: Image) -> Image:
    """Return ``image`` made reproducible: :func:`time` at Go's zero time, host details cleared.

    ``container``, ``docker_version`` and the run config's ``Hostname`` are emptied.
    """
    original = image.config_file()
    cleaned: Config = dataclasses.replace(original.config, hostname="")
    layers = [RetimedLayer(layer, Time()) for layer in image.layers()]
    start = ConfigFile(
        architecture=original.architecture,
        os=original.os,
        os_version=original.os_version,
        config=cleaned,
    )
    addenda = [Addendum(layer, history=History()) for layer in layers]
    return MutatedImage(empty.image, config_file=start, adds=addenda)
