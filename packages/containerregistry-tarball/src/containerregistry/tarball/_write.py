"""Writing images to a tarball in the format ``crane pull`` writes (and docker load reads)."""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable, Mapping
from typing import BinaryIO

from containerregistry import types
from containerregistry.archive import TarWriter
from containerregistry.files import atomic_file
from containerregistry.name import DEFAULT_TAG, Digest, Tag
from containerregistry.tarball._errors import TarballError
from containerregistry.tarball._fill import Gap, fill
from containerregistry.tarball._manifest import MANIFEST_NAME, ManifestDescriptor, manifest_to_json
from containerregistry.tarball._readahead import ReadAhead
from containerregistry.v1 import Descriptor, Hash, Image, Layer, Update
from containerregistry.v1 import ProgressCallback as ProgressCallback  # tarball.ProgressCallback

Reference = Tag | Digest

_UNCOMPRESSED_LAYERS = frozenset(
    {
        types.DOCKER_UNCOMPRESSED_LAYER,
        types.OCI_UNCOMPRESSED_LAYER,
        types.OCI_UNCOMPRESSED_RESTRICTED_LAYER,
    }
)
_BLOCK = 512


def layer_file_name(digest: Hash, media_type: str) -> str:
    """Return the entry name of a layer: ``<hex>.tar.gz``, ``.tar.zst`` or ``.tar``."""
    if "zstd" in media_type:
        return f"{digest.hex}.tar.zst"
    if media_type in _UNCOMPRESSED_LAYERS:
        return f"{digest.hex}.tar"
    return f"{digest.hex}.tar.gz"


def _repo_tag(tag: Tag) -> str:
    # docker load needs an explicit tag, and rules_docker needs the text as the
    # user wrote it, so ":latest" is appended rather than using the full name.
    text = str(tag)
    if tag.identifier == DEFAULT_TAG and not text.endswith(":" + DEFAULT_TAG):
        text = f"{text}:{DEFAULT_TAG}"
    return text


@dataclasses.dataclass
class _Planned:
    image: Image
    tags: list[str] | None
    descriptor: ManifestDescriptor
    layers: list[Layer]


def _plan(ref_to_image: Mapping[Reference, Image]) -> list[_Planned]:
    """Group references by image (same manifest digest) and order the images.

    ggcr orders ``manifest.json`` by the comma-joined RepoTags but writes the
    entries in map order; here both follow that sort (ties broken by config and
    manifest digest), so the same input gives the same bytes.
    """
    grouped: dict[Hash, tuple[Image, list[str] | None]] = {}
    for ref, img in ref_to_image.items():
        if not isinstance(ref, (Tag, Digest)):
            raise TarballError(f"want a Tag or Digest reference, got {type(ref).__name__} {ref!r}")
        key = img.digest()
        known, tags = grouped.get(key, (img, None))
        if isinstance(ref, Tag):
            tags = [*(tags or []), _repo_tag(ref)]
        grouped[key] = (known, tags)
    planned = []
    for img, tags in grouped.values():
        layers = img.layers()
        descriptors = img.manifest().layers or ()
        if len(descriptors) != len(layers):
            raise TarballError(
                f"image {img.digest()} lists {len(descriptors)} layers in its manifest but "
                f"returns {len(layers)}"
            )
        files = []
        sources: dict[Hash, Descriptor] = {}
        for layer, descriptor in zip(layers, descriptors, strict=True):
            files.append(layer_file_name(layer.digest(), layer.media_type()))
            if not types.is_distributable(descriptor.media_type):
                sources[layer.diff_id()] = descriptor
        planned.append(
            _Planned(
                image=img,
                tags=tags,
                descriptor=ManifestDescriptor(
                    config=str(img.config_name()),
                    repo_tags=None if tags is None else tuple(tags),
                    layers=tuple(files),
                    layer_sources=sources,
                ),
                layers=layers,
            )
        )
    planned.sort(key=lambda p: (",".join(p.tags or ()), p.descriptor.config, str(p.image.digest())))
    return planned


def compute_manifest(ref_to_image: Mapping[Reference, Image]) -> list[ManifestDescriptor]:
    """Return the ``manifest.json`` descriptors that writing ``ref_to_image`` would store."""
    return [p.descriptor for p in _plan(ref_to_image)]


def _entry_size(size: int) -> int:
    return _BLOCK + -(-size // _BLOCK) * _BLOCK


def _total_size(planned: list[_Planned], manifest_bytes: bytes) -> int:
    total = 0
    seen: set[str] = set()
    for p in planned:
        total += _entry_size(len(p.image.raw_config_file()))
        for name, layer in zip(p.descriptor.layers or (), p.layers, strict=True):
            if name not in seen:
                seen.add(name)
                total += _entry_size(layer.size())
    return total + _entry_size(len(manifest_bytes)) + 2 * _BLOCK


def calculate_size(ref_to_image: Mapping[Reference, Image]) -> int:
    """Return the size in bytes of the tarball that writing ``ref_to_image`` produces."""
    planned = _plan(ref_to_image)
    return _total_size(planned, manifest_to_json([p.descriptor for p in planned]))


class _Counting:
    """A sink that reports every write to a progress callback."""

    def __init__(self, out: BinaryIO, total: int, progress: ProgressCallback) -> None:
        self._out = out
        self.total = total
        self.complete = 0
        self._progress = progress

    def write(self, data: bytes, /) -> int:
        written = self._out.write(data)
        self.complete += len(data)
        self._progress(Update(total=self.total, complete=self.complete))
        return written


def _copy_layer(writer: TarWriter, name: str, layer: Layer) -> None:
    size = layer.size()
    # The next chunks are fetched (and hashed) on a thread while these are written.
    with layer.compressed() as stream, ReadAhead(stream) as ahead:
        writer.add_file(name, ahead.as_binary_io(), size=size)
        # Reading past the end verifies the digest (and catches a longer blob).
        if ahead.read(1):
            raise TarballError(
                f"layer {layer.digest()} holds more than the {size} bytes it declares"
            )


def _write_entries(
    writer: TarWriter,
    planned: list[_Planned],
    manifest_bytes: bytes,
    add_layer: Callable[[str, Layer], None],
) -> None:
    """Each image's config then its layers (``add_layer`` writes each name once), then
    ``manifest.json`` and the end of the archive."""
    written: set[str] = set()
    for p in planned:
        writer.add_file(p.descriptor.config, p.image.raw_config_file())
        for name, layer in zip(p.descriptor.layers or (), p.layers, strict=True):
            if name not in written:
                written.add(name)
                add_layer(name, layer)
    writer.add_file(MANIFEST_NAME, manifest_bytes)
    writer.close()


def multi_ref_write(
    ref_to_image: Mapping[Reference, Image],
    fileobj: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Write the images to ``fileobj`` as one tarball, each under its references.

    Entries: per image its config (``sha256:<hex>``) then its layers
    (``<hex>.tar.gz``, ``.tar.zst`` or ``.tar``, each blob as stored and written
    once however many images share it), and ``manifest.json`` last. A tag gets
    ``:latest`` appended when it was left out; an image named only by digest has
    ``RepoTags: null``. Images are in the order of ``manifest.json`` (sorted by
    their tags), so the output is deterministic. ``progress`` (default None)
    receives an :class:`~containerregistry.v1.Update` after every write and one
    carrying the error if writing fails. ``fileobj`` is not closed.
    """
    planned = _plan(ref_to_image)
    manifest_bytes = manifest_to_json([p.descriptor for p in planned])
    sink: BinaryIO | _Counting = fileobj
    if progress is not None:
        sink = _Counting(fileobj, _total_size(planned, manifest_bytes), progress)
    try:
        writer = TarWriter(sink)
        _write_entries(
            writer, planned, manifest_bytes, lambda name, layer: _copy_layer(writer, name, layer)
        )
    except Exception as exc:
        if isinstance(sink, _Counting) and progress is not None:
            progress(Update(total=sink.total, complete=sink.complete, error=exc))
        raise


def multi_write(
    tag_to_image: Mapping[Tag, Image],
    fileobj: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Write several tagged images to ``fileobj``; as :func:`multi_ref_write`."""
    refs: dict[Reference, Image] = dict(tag_to_image.items())
    multi_ref_write(refs, fileobj, progress=progress)


def write(
    ref: Reference,
    image: Image,
    fileobj: BinaryIO,
    *,
    progress: ProgressCallback | None = None,
) -> None:
    """Write one image under ``ref`` to ``fileobj``; as :func:`multi_ref_write`."""
    multi_ref_write({ref: image}, fileobj, progress=progress)


class _Tally:
    """Progress of a tarball written in pieces from several threads."""

    def __init__(self, total: int, progress: ProgressCallback | None) -> None:
        self.total = total
        self.complete = 0
        self._progress = progress
        self._lock = threading.Lock()

    def add(self, count: int) -> None:
        if self._progress is None:
            return
        with self._lock:
            self.complete += count
            self._progress(Update(total=self.total, complete=self.complete))


def _write_with_gaps(
    planned: list[_Planned],
    manifest_bytes: bytes,
    handle: BinaryIO,
    *,
    jobs: int,
    progress: ProgressCallback | None,
) -> None:
    """Write the entries with a gap for each layer's data, then fill the gaps at once.

    The same bytes as :func:`multi_ref_write`; see ``_fill`` for how.
    """
    tally = _Tally(_total_size(planned, manifest_bytes), progress)
    try:
        writer = TarWriter(handle)
        gaps: list[Gap] = []

        def leave_gap(name: str, layer: Layer) -> None:
            size = layer.size()
            padding = writer.add_file_header(name, size)
            gaps.append(Gap(layer, handle.tell(), size))
            handle.seek(size + padding, os.SEEK_CUR)

        _write_entries(writer, planned, manifest_bytes, leave_gap)
        handle.flush()
        tally.add(tally.total - sum(gap.size for gap in gaps))
        fill(handle.fileno(), gaps, jobs=jobs, on_written=tally.add)
    except Exception as exc:
        if progress is not None:
            progress(Update(total=tally.total, complete=tally.complete, error=exc))
        raise


def multi_ref_write_to_file(
    path: str | os.PathLike[str],
    ref_to_image: Mapping[Reference, Image],
    *,
    progress: ProgressCallback | None = None,
    jobs: int = 4,
) -> None:
    """Write the images to a tarball at ``path``: a temporary file renamed into place.

    The bytes are those of :func:`multi_ref_write`, but the layers are fetched
    ``jobs`` at a time (default 4), each written into its place in the file. On
    any error ``path`` is left as it was. ``progress`` as :func:`multi_ref_write`.
    """
    planned = _plan(ref_to_image)
    manifest_bytes = manifest_to_json([p.descriptor for p in planned])
    with atomic_file(path) as handle:
        _write_with_gaps(planned, manifest_bytes, handle, jobs=jobs, progress=progress)


def multi_write_to_file(
    path: str | os.PathLike[str],
    tag_to_image: Mapping[Tag, Image],
    *,
    progress: ProgressCallback | None = None,
    jobs: int = 4,
) -> None:
    """Write several tagged images to a tarball at ``path``; as :func:`multi_ref_write_to_file`."""
    refs: dict[Reference, Image] = dict(tag_to_image.items())
    multi_ref_write_to_file(path, refs, progress=progress, jobs=jobs)


def write_to_file(
    path: str | os.PathLike[str],
    ref: Reference,
    image: Image,
    *,
    progress: ProgressCallback | None = None,
    jobs: int = 4,
) -> None:
    """Write one image under ``ref`` to a tarball at ``path``, atomically.

    As :func:`multi_ref_write_to_file` (``jobs`` layers at once, default 4).
    """
    multi_ref_write_to_file(path, {ref: image}, progress=progress, jobs=jobs)
