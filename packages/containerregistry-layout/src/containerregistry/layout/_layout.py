"""``Layout``: an OCI image layout directory, read and changed in place."""

from __future__ import annotations

import builtins
import contextlib
import dataclasses
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import types, workers
from containerregistry.files import atomic_file, write_atomically
from containerregistry.layout._errors import BlobNotFoundError, InvalidLayoutError, LayoutError
from containerregistry.layout._json import OCI_LAYOUT_BYTES, indented_index
from containerregistry.layout._lock import index_lock
from containerregistry.layout._views import LayoutImage, LayoutIndex, NamedVerifier
from containerregistry.v1 import Descriptor, Hash, IndexManifest

if TYPE_CHECKING:
    # Annotations only: the protocols and Platform load when a caller needs them.
    from containerregistry.v1 import Image, ImageIndex, Layer, Platform

Matcher = Callable[[Descriptor], bool]

INDEX_NAME = "index.json"
#: What a missing index.json means, and how to get a layout (CLI users and callers).
NOT_A_LAYOUT = (
    "it is not an OCI image layout (crane pull --format oci writes one; so do "
    "layout.write and skopeo copy ... oci:DIR)"
)
OCI_LAYOUT_NAME = "oci-layout"
#: Blobs are written this many at a time (the project-wide ``jobs`` default).
DEFAULT_JOBS = 4
_CHUNK = 1 << 20


def _descriptor_of(item: Image | ImageIndex) -> Descriptor:
    """The descriptor an index lists for ``item``: its own ``descriptor()`` if it has
    one, else media type, size and digest (plus the artifact type of an artifact)."""
    own = getattr(item, "descriptor", None)
    if callable(own):
        result = own()
        if isinstance(result, Descriptor):
            return result
    from containerregistry.v1 import Image

    artifact_type = ""
    if isinstance(item, Image) and types.is_image(item.media_type()):
        manifest = item.manifest()
        artifact_type = manifest.artifact_type
        if not artifact_type and not types.is_config(manifest.config.media_type):
            artifact_type = manifest.config.media_type
    return Descriptor(
        media_type=item.media_type(),
        size=item.size(),
        digest=item.digest(),
        artifact_type=artifact_type,
    )


def _with_options(
    descriptor: Descriptor,
    annotations: Mapping[str, str] | None,
    urls: Iterable[str] | None,
    platform: Platform | None,
) -> Descriptor:
    changes: dict[str, object] = {}
    if annotations is not None:
        changes["annotations"] = dict(annotations)
    if urls is not None:
        changes["urls"] = tuple(urls)
    if platform is not None:
        changes["platform"] = platform
    if not changes:
        return descriptor
    return dataclasses.replace(descriptor, **changes)  # type: ignore[arg-type]


def _largest_first(image: Image, layers: list[Layer]) -> list[Layer]:
    """``layers`` the largest first, by the sizes the manifest gives (asking a layer
    itself could compress it now, on this thread)."""
    sizes = [descriptor.size for descriptor in image.manifest().layers or ()]
    if len(sizes) != len(layers):
        return layers
    order = sorted(range(len(layers)), key=lambda i: -sizes[i])
    return [layers[i] for i in order]


class Layout:
    """The OCI image layout at :attr:`path` (ggcr's ``layout.Path``).

    Reading: :meth:`image_index`, :meth:`image`, :meth:`blob`, :meth:`bytes`.
    Writing: blobs are written to a temporary name and renamed, and skipped when a
    file of the same size is already there; ``index.json`` is rewritten atomically
    under an exclusive file lock, so concurrent writers (threads or processes)
    lose no update. ``jobs`` is how many layers are written at once (default 4).
    """

    def __init__(self, path: str | os.PathLike[str], *, jobs: int = DEFAULT_JOBS) -> None:
        if jobs < 1:
            raise LayoutError(f"jobs must be at least 1, got {jobs}")
        self.path = os.fspath(path)
        self.jobs = jobs

    def __repr__(self) -> str:
        return f"Layout({self.path!r})"

    def __fspath__(self) -> str:
        return self.path

    # -- paths and reading -------------------------------------------------

    def blob_path(self, digest: Hash) -> str:
        """Return the file name of blob ``digest``: ``<path>/blobs/<alg>/<hex>``."""
        return os.path.join(self.path, "blobs", digest.algorithm, digest.hex)

    def _open_blob(self, digest: Hash, size: int | None) -> BinaryIO:
        path = self.blob_path(digest)
        try:
            handle = open(path, "rb")  # noqa: SIM115 (returned to the caller)
        except FileNotFoundError:
            raise BlobNotFoundError(
                f"{self.path}: blob {digest} not found (no file {path}); the layout is "
                "incomplete: write the image again"
            ) from None
        return NamedVerifier(handle, digest=digest, size=size, label=path).as_binary_io()

    def blob(self, digest: Hash) -> BinaryIO:
        """Open blob ``digest``; reading it to the end verifies it. The caller closes it."""
        return self._open_blob(digest, None)

    def bytes(self, digest: Hash) -> builtins.bytes:
        """Return the whole of blob ``digest``, verified."""
        with self.blob(digest) as stream:
            return stream.read()

    def _raw_index(self) -> builtins.bytes:
        path = os.path.join(self.path, INDEX_NAME)
        try:
            with open(path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise InvalidLayoutError(f"{self.path}: no {INDEX_NAME}; {NOT_A_LAYOUT}") from None

    def image_index(self) -> LayoutIndex:
        """Return the layout's ``index.json`` as an index whose children are its blobs."""
        return LayoutIndex(
            self._open_blob, self._raw_index(), label=os.path.join(self.path, INDEX_NAME)
        )

    def image(self, digest: Hash) -> LayoutImage:
        """Return the image whose manifest is blob ``digest``."""
        return LayoutImage(self._open_blob, self.bytes(digest), label=self.blob_path(digest))

    # -- blobs ---------------------------------------------------------------

    def _exists_with_size(self, digest: Hash, size: int | None) -> bool:
        try:
            actual = os.stat(self.blob_path(digest)).st_size
        except FileNotFoundError:
            return False
        return size is None or actual == size

    def write_blob(self, digest: Hash, stream: BinaryIO, *, size: int | None = None) -> None:
        """Store ``stream`` as blob ``digest``; the content is verified before it is stored
        (renamed into place). Skipped when the blob exists (with ``size`` bytes, when
        given). ``stream`` is read but not closed."""
        if self._exists_with_size(digest, size):
            return
        self._store(digest, stream, size, None)

    def _store(
        self, digest: Hash, stream: BinaryIO, size: int | None, stop: threading.Event | None
    ) -> None:
        """Write the verified ``stream`` as blob ``digest``, checking ``stop`` (None: never)
        between chunks; the one storage step a layout elsewhere (GCS) replaces."""
        target = self.blob_path(digest)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        checked = NamedVerifier(stream, digest=digest, size=size, label=f"blob {digest}")
        buffer = memoryview(bytearray(_CHUNK))
        with atomic_file(target) as out:
            # One buffer for every chunk: no allocation or copy per chunk.
            while count := checked.readinto(buffer):
                out.write(buffer[:count])
                workers.check(stop)

    def _write_bytes_blob(self, data: builtins.bytes) -> Hash:
        digest = Hash.of(data)
        if not self._exists_with_size(digest, len(data)):
            target = self.blob_path(digest)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            write_atomically(target, data)
        return digest

    def write_file(self, name: str, data: builtins.bytes) -> None:
        """Write ``data`` to the file ``name`` inside the layout, atomically."""
        target = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        write_atomically(target, data)

    def remove_blob(self, digest: Hash) -> None:
        """Delete blob ``digest``; a blob that is not there is not an error."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.blob_path(digest))

    def _write_layer(self, layer: Layer, stop: threading.Event | None = None) -> None:
        digest, size = layer.digest(), layer.size()
        if self._exists_with_size(digest, size):
            return
        with layer.compressed() as stream:
            self._store(digest, stream, size, stop)

    def write_image(self, image: Image) -> None:
        """Write the layers, config and manifest of ``image`` as blobs (not ``index.json``).

        Layers are written ``jobs`` at a time, the largest first (so that a large one
        does not start last and run alone); the manifest goes last, so a layout never
        refers to an image whose blobs are not all there.
        """
        layers = image.layers()
        if self.jobs == 1 or len(layers) <= 1:
            for layer in layers:
                self._write_layer(layer)
            self._write_bytes_blob(image.raw_config_file())
        else:
            # A failure, or a Ctrl-C, stops the other layers at their next chunk.
            stop = threading.Event()
            write = workers.guarded(stop, self._write_layer)
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(layers))) as pool:
                # Read the config first (a registry's is one more round trip, which
                # then overlaps the layers instead of following the last of them);
                # it is stored below, once every layer is.
                config = pool.submit(workers.guarded(stop, image.raw_config_file))
                futures = [
                    pool.submit(write, layer, stop) for layer in _largest_first(image, layers)
                ]
                workers.wait([config, *futures], stop)
            self._write_bytes_blob(config.result())
        self._write_bytes_blob(image.raw_manifest())

    def write_index(self, index: ImageIndex) -> None:
        """Write every child of ``index`` (recursively) and ``index`` itself as blobs."""
        self._write_children(index)
        self._write_bytes_blob(index.raw_manifest())

    def _write_children(self, index: ImageIndex) -> None:
        for child in index.index_manifest().manifests or ():
            if types.is_index(child.media_type):
                self.write_index(index.image_index(child.digest))
            elif types.is_image(child.media_type):
                self.write_image(index.image(child.digest))
            else:
                # Anything else (artifacts, schema 1...) is copied as a raw blob.
                self._copy_raw_child(index, child)

    def _copy_raw_child(self, index: ImageIndex, child: Descriptor) -> None:
        if self._exists_with_size(child.digest, child.size):
            return
        opener = getattr(index, "blob", None) or getattr(index, "_open_blob", None)
        if opener is None:
            raise LayoutError(
                f"cannot copy child {child.digest} ({child.media_type}) of index "
                f"{index.digest()}: the index gives no access to raw blobs"
            )
        with opener(child.digest, child.size) as stream:
            self.write_blob(child.digest, stream, size=child.size)

    # -- index.json ----------------------------------------------------------

    def _edit_index(self, change: Callable[[IndexManifest], IndexManifest]) -> None:
        with index_lock(self.path):
            current = self.image_index().index_manifest()
            updated = change(current)
            write_atomically(os.path.join(self.path, INDEX_NAME), indented_index(updated))

    def append_descriptor(self, descriptor: Descriptor) -> None:
        """Add ``descriptor`` to the end of ``index.json``.

        Unlike crane, a descriptor whose digest and annotations equal an existing
        entry's is not added a second time.
        """

        def change(index: IndexManifest) -> IndexManifest:
            existing = index.manifests or ()
            for known in existing:
                if known.digest == descriptor.digest and dict(known.annotations) == dict(
                    descriptor.annotations
                ):
                    return index
            return dataclasses.replace(index, manifests=(*existing, descriptor))

        self._edit_index(change)

    def append_image(
        self,
        image: Image,
        *,
        annotations: Mapping[str, str] | None = None,
        urls: Iterable[str] | None = None,
        platform: Platform | None = None,
    ) -> None:
        """Write ``image`` and add its descriptor to ``index.json``.

        ``annotations`` (e.g. ``org.opencontainers.image.ref.name``), ``urls`` and
        ``platform`` replace those of the descriptor when given (default None:
        keep). An image already listed with the same annotations is not added again.
        """
        self.write_image(image)
        self.append_descriptor(_with_options(_descriptor_of(image), annotations, urls, platform))

    def append_index(
        self,
        index: ImageIndex,
        *,
        annotations: Mapping[str, str] | None = None,
        urls: Iterable[str] | None = None,
        platform: Platform | None = None,
    ) -> None:
        """Write ``index`` (children included) and add its descriptor to ``index.json``.

        Options as :meth:`append_image`.
        """
        self.write_index(index)
        self.append_descriptor(_with_options(_descriptor_of(index), annotations, urls, platform))

    def _replace(self, descriptor: Descriptor, matcher: Matcher) -> None:
        def change(index: IndexManifest) -> IndexManifest:
            kept = tuple(d for d in index.manifests or () if not matcher(d))
            return dataclasses.replace(index, manifests=(*kept, descriptor))

        self._edit_index(change)

    def replace_image(
        self,
        image: Image,
        matcher: Matcher,
        *,
        annotations: Mapping[str, str] | None = None,
        urls: Iterable[str] | None = None,
        platform: Platform | None = None,
    ) -> None:
        """Write ``image``, remove every entry ``matcher`` selects, and append the image.

        Options as :meth:`append_image`. Blobs of removed entries stay until
        :meth:`garbage_collect`.
        """
        self.write_image(image)
        self._replace(_with_options(_descriptor_of(image), annotations, urls, platform), matcher)

    def replace_index(
        self,
        index: ImageIndex,
        matcher: Matcher,
        *,
        annotations: Mapping[str, str] | None = None,
        urls: Iterable[str] | None = None,
        platform: Platform | None = None,
    ) -> None:
        """Write ``index``, remove every entry ``matcher`` selects, and append the index."""
        self.write_index(index)
        self._replace(_with_options(_descriptor_of(index), annotations, urls, platform), matcher)

    def remove_descriptors(self, matcher: Matcher) -> None:
        """Remove from ``index.json`` every entry ``matcher`` selects (blobs stay).

        Removing every entry leaves ``"manifests": []`` (ggcr writes ``null``, which
        the OCI specification does not allow).
        """

        def change(index: IndexManifest) -> IndexManifest:
            kept = tuple(d for d in index.manifests or () if not matcher(d))
            return dataclasses.replace(index, manifests=kept)

        self._edit_index(change)

    # -- garbage collection --------------------------------------------------

    def garbage_collect(self, *, remove: bool = False) -> list[Hash]:
        """Return the blobs that nothing in ``index.json`` reaches, sorted.

        With ``remove=True`` (default False, as ggcr, which only reports them) they
        are deleted too. The walk holds the index lock, so no append races it. A
        reachable descriptor of an unknown media type is an error: what it refers to
        cannot be known, so nothing is collected.
        """
        with index_lock(self.path):
            reachable: set[Hash] = set()
            self._mark_index(self.image_index(), reachable)
            unreachable = sorted(d for d in self._all_blobs() if d not in reachable)
            if remove:
                for digest in unreachable:
                    self.remove_blob(digest)
            return unreachable

    def _mark_index(self, index: ImageIndex, reachable: set[Hash]) -> None:
        for child in index.index_manifest().manifests or ():
            reachable.add(child.digest)
            if types.is_index(child.media_type):
                self._mark_index(index.image_index(child.digest), reachable)
            elif types.is_image(child.media_type):
                image = index.image(child.digest)
                reachable.add(image.manifest().config.digest)
                reachable.update(d.digest for d in image.manifest().layers or ())
            else:
                raise LayoutError(
                    f"{self.path}: cannot collect garbage: {child.digest} in index "
                    f"{index.digest()} has unknown media type {child.media_type!r}"
                )

    def _all_blobs(self) -> list[Hash]:
        found: list[Hash] = []
        root = os.path.join(self.path, "blobs")
        if not os.path.isdir(root):
            return found
        for algorithm in sorted(os.listdir(root)):
            folder = os.path.join(root, algorithm)
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                try:
                    found.append(Hash(algorithm, name))
                except ValueError:
                    continue  # temporary files of writers in progress, and strangers
        return found


def write(path: str | os.PathLike[str], index: ImageIndex, *, jobs: int = DEFAULT_JOBS) -> Layout:
    """Create (or overwrite) a layout at ``path`` holding ``index`` and all it refers to.

    ``oci-layout`` is written, every child blob, and ``index.json`` last: the
    index's raw manifest, compact, exactly as given. ``jobs`` as in :class:`Layout`.
    """
    layout = Layout(path, jobs=jobs)
    os.makedirs(layout.path, exist_ok=True)
    layout.write_file(OCI_LAYOUT_NAME, OCI_LAYOUT_BYTES)
    layout._write_children(index)
    with index_lock(layout.path):
        layout.write_file(INDEX_NAME, index.raw_manifest())
    return layout


#: ``index.json`` of a layout with no entries: ``empty.index``'s raw manifest.
EMPTY_INDEX_BYTES = (
    b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
)


def create(path: str | os.PathLike[str], *, jobs: int = DEFAULT_JOBS) -> Layout:
    """Create (or overwrite) an empty layout at ``path`` and return it.

    The same files as ``write(path, empty.index)`` (``oci-layout`` and an
    ``index.json`` with no entries), without building the empty index.
    ``jobs`` as in :class:`Layout` (default 4).
    """
    layout = Layout(path, jobs=jobs)
    os.makedirs(layout.path, exist_ok=True)
    layout.write_file(OCI_LAYOUT_NAME, OCI_LAYOUT_BYTES)
    with index_lock(layout.path):
        layout.write_file(INDEX_NAME, EMPTY_INDEX_BYTES)
    return layout


def from_path(path: str | os.PathLike[str], *, jobs: int = DEFAULT_JOBS) -> Layout:
    """Return the layout at ``path``; it must have an ``index.json``."""
    layout = Layout(path, jobs=jobs)
    if not os.path.isfile(os.path.join(layout.path, INDEX_NAME)):
        raise InvalidLayoutError(f"{layout.path}: no {INDEX_NAME}; {NOT_A_LAYOUT}")
    return layout


def image_index_from_path(path: str | os.PathLike[str]) -> LayoutIndex:
    """Return the ``index.json`` of the layout at ``path`` as an index."""
    return from_path(path).image_index()


#: ggcr's name for a layout.
Path = Layout
