"""Pushing images and indexes: blobs first (concurrently, deduplicated), then manifests.

A push is planned before anything is sent: every target repository gets one
session whose token covers push on it and pull on every repository of the same
registry a layer can be mounted from. Blobs go to a thread pool of ``jobs``
workers, each (repository, digest) once; manifests follow children first, each
after HEAD says the registry does not already have it.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import io
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from containerregistry import logs, name, types, workers
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._options import OptionArgs, Options
from containerregistry.remote._progress import Progress
from containerregistry.remote._referrers import probe, referrer_descriptor, update_fallback
from containerregistry.remote._upload import BlobUploader, known_digest, known_size
from containerregistry.transport import check_response
from containerregistry.v1 import Descriptor, Hash, Image, ImageIndex, Layer

if TYPE_CHECKING:
    from typing_extensions import Unpack


@runtime_checkable
class Taggable(Protocol):
    """Anything with a raw manifest: an image, an index, a ``remote.Descriptor``."""

    def raw_manifest(self) -> bytes:
        """The manifest bytes to PUT."""
        ...


Writable = Image | ImageIndex | Taggable


def _media_type_of(item: object, raw: bytes) -> str:
    found = getattr(item, "media_type", None)
    media_type = found() if callable(found) else found
    if isinstance(media_type, str) and media_type:
        return media_type
    import json

    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("mediaType"), str) and data["mediaType"]:
        return str(data["mediaType"])
    # A manifest that does not say what it is: crane assumes Docker v2.
    return types.DOCKER_MANIFEST_SCHEMA2


def _is_index(item: object) -> bool:
    return callable(getattr(item, "index_manifest", None))


def _is_image(item: object) -> bool:
    return callable(getattr(item, "layers", None))


@dataclasses.dataclass
class _ManifestJob:
    repository: name.Repository
    identifier: str  # tag or digest to PUT at
    raw: bytes
    media_type: str
    blobs: list[tuple[name.Repository, str]]  # keys of the blobs it needs first
    deferred_config: Image | None = None  # config to push after stream layers are read


@dataclasses.dataclass
class _Plan:
    blobs: dict[tuple[str, str], tuple[name.Repository, Layer]] = dataclasses.field(
        default_factory=dict
    )
    manifests: list[_ManifestJob] = dataclasses.field(default_factory=list)
    mount_sources: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    seen_manifests: set[tuple[str, str]] = dataclasses.field(default_factory=set)


class _ConfigBlob:
    """An image's config as a layer-like blob (what the uploader needs of it)."""

    def __init__(self, image: Image, repository: name.Repository | None) -> None:
        self._image = image
        if repository is not None:
            self.repository = repository

    def digest(self) -> Hash:
        return self._image.config_name()

    def size(self) -> int:
        return self._image.manifest().config.size

    def media_type(self) -> str:
        return self._image.manifest().config.media_type

    def compressed(self) -> BinaryIO:
        return io.BytesIO(self._image.raw_config_file())


class Pusher:
    """Writes any number of images and indexes with one pool and shared sessions."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.progress = Progress(options.progress)
        self._plan = _Plan()
        self._uploaders: dict[str, BlobUploader] = {}
        self._lock = threading.Lock()
        #: Set when a blob fails or the caller is interrupted: uploads stop between chunks.
        self._stop = threading.Event()

    # -- planning -------------------------------------------------------------------------

    def add(self, ref: name.Reference | name.Repository, item: object) -> None:
        """Plan ``item`` (image, index, layer or raw manifest) for ``ref``."""
        if isinstance(ref, name.Repository):
            self._add_blob(ref, item)  # type: ignore[arg-type]
            return
        self._add(ref.context, ref.identifier, item)

    def _add_blob(self, repository: name.Repository, layer: Layer) -> tuple[name.Repository, str]:
        digest = known_digest(layer)
        key = (repository.name, str(digest) if digest is not None else f"stream:{id(layer)}")
        if key not in self._plan.blobs:
            self._plan.blobs[key] = (repository, layer)
            self.progress.add_total(known_size(layer) or 0)
            source = getattr(layer, "repository", None)
            if (
                isinstance(source, name.Repository)
                and source.registry.registry_str == repository.registry.registry_str
                and source.repository_str != repository.repository_str
            ):
                self._plan.mount_sources.setdefault(repository.name, set()).add(
                    source.scope("pull")
                )
        return repository, key[1]

    def _add(self, repository: name.Repository, identifier: str, item: object) -> None:
        layers: list[Layer] = []
        if _is_image(item) and not _is_index(item):
            layers = self._pushed_layers(item)  # type: ignore[arg-type]
            if any(known_digest(layer) is None for layer in layers):
                # Stream layers: the manifest (and the config's diff_ids) exist only
                # once they are read, so both are made after the upload, as in ggcr.
                self._plan.seen_manifests.add((repository.name, identifier))
                streamed = [self._add_blob(repository, layer) for layer in layers]
                self._plan.manifests.append(
                    _ManifestJob(repository, identifier, b"", "", streamed, item)  # type: ignore[arg-type]
                )
                return
        raw = item.raw_manifest()  # type: ignore[attr-defined]
        media_type = _media_type_of(item, raw)
        digest = str(Hash.of(raw))
        if identifier == digest and (repository.name, digest) in self._plan.seen_manifests:
            return
        self._plan.seen_manifests.add((repository.name, identifier))
        blobs: list[tuple[name.Repository, str]] = []
        if _is_index(item) or types.is_index(media_type):
            self._add_children(repository, item)
        elif _is_image(item):
            image: Image = item  # type: ignore[assignment]
            blobs = [self._add_blob(repository, layer) for layer in layers]
            if not types.is_schema1(media_type):
                fetcher = getattr(image, "fetcher", None)
                source = fetcher.repository if isinstance(fetcher, Fetcher) else None
                config = _ConfigBlob(image, source)
                blobs.append(self._add_blob(repository, config))  # type: ignore[arg-type]
        self.progress.add_total(len(raw))
        self._plan.manifests.append(_ManifestJob(repository, identifier, raw, media_type, blobs))

    def _pushed_layers(self, image: Image) -> list[Layer]:
        """The layers whose blobs are pushed: foreign ones only with ``nondistributable``."""
        return [
            layer
            for layer in image.layers()
            if types.is_distributable(layer.media_type()) or self.options.nondistributable
        ]

    def _add_children(self, repository: name.Repository, index: object) -> None:
        manifest = index.index_manifest()  # type: ignore[attr-defined]
        children = list(manifest.manifests or ())
        # A remote index fetches each child's manifest when asked for it: ask for all of
        # them at once (``jobs`` at a time), then plan them in index order.
        if len(children) > 1 and self.options.jobs > 1:
            with concurrent.futures.ThreadPoolExecutor(
                max_workers=min(self.options.jobs, len(children)),
                thread_name_prefix="remote-plan",
            ) as pool:
                loaded = list(pool.map(lambda child: _open_child(index, child), children))
        else:
            loaded = [_open_child(index, child) for child in children]
        for child, item in zip(children, loaded, strict=True):
            self._add(repository, str(child.digest), item)

    # -- running --------------------------------------------------------------------------

    def _uploader(self, repository: name.Repository) -> BlobUploader:
        with self._lock:
            found = self._uploaders.get(repository.name)
            if found is not None:
                return found
        mounts = sorted(self._plan.mount_sources.get(repository.name, ()))
        scopes = [repository.scope("push,pull"), *mounts]
        session = self.options.session(repository, scopes)
        uploader = BlobUploader(session, repository, self.options, self.progress, stop=self._stop)
        with self._lock:
            return self._uploaders.setdefault(repository.name, uploader)

    def run(self) -> None:
        """Upload every planned blob, then PUT every planned manifest, children first."""
        plan = self._plan
        for repository in {r.name: r for r, _ in plan.blobs.values()}.values():
            self._uploader(repository)
        for job in plan.manifests:
            self._uploader(job.repository)
        stop = self._stop
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=self.options.jobs, thread_name_prefix="remote-write"
        ) as pool:
            futures = {
                key: pool.submit(workers.guarded(stop, self._uploader(repository).upload), layer)
                for key, (repository, layer) in _largest_first(plan.blobs)
            }
            every = list(futures.values())
            try:
                for job in plan.manifests:
                    # In short waits that a Ctrl-C interrupts; any blob's failure stops all.
                    needed = [futures[(blob[0].name, blob[1])] for blob in job.blobs]
                    workers.wait(needed, stop, watched=every)
                    if job.deferred_config is not None:
                        self._uploader(job.repository).upload(
                            _ConfigBlob(job.deferred_config, None)  # type: ignore[arg-type]
                        )
                        job.raw = job.deferred_config.raw_manifest()
                        job.media_type = _media_type_of(job.deferred_config, job.raw)
                    self._put_manifest(job)
            except BaseException:
                stop.set()  # the uploads still running stop at their next chunk
                for future in every:
                    future.cancel()
                raise
            workers.wait(every, stop)

    def _put_manifest(self, job: _ManifestJob) -> None:
        uploader = self._uploader(job.repository)
        session = uploader.session
        url = session.url(f"/v2/{job.repository.repository_str}/manifests/{job.identifier}")
        digest = Hash.of(job.raw)
        key = f"manifest:{job.repository.name}:{job.identifier}"
        head = session.head(url, headers={"Accept": job.media_type})
        head.close()
        if head.status_code == 200 and head.headers.get("Docker-Content-Digest") == str(digest):
            self.progress.set(key, len(job.raw))
            return
        response = session.put(url, data=job.raw, headers={"Content-Type": job.media_type})
        check_response(response, 200, 201, 202)
        response.close()
        self.progress.set(key, len(job.raw))
        logs.progress.info("%s: digest: %s size: %d", _reference_name(job), digest, len(job.raw))
        # ggcr probes rather than trusting an ``OCI-Subject`` header: some registries
        # send the header without serving the referrers API.
        if not self.options.referrers_tag_fallback:
            return
        found = referrer_descriptor(job.raw, job.media_type)
        if found is None:
            return
        referrer, subject = found
        if probe(session, job.repository, subject) is not None:
            return
        update_fallback(Fetcher(session, job.repository, self.options), subject, referrer)


def _largest_first(
    blobs: dict[tuple[str, str], tuple[name.Repository, Layer]],
) -> list[tuple[tuple[str, str], tuple[name.Repository, Layer]]]:
    """``blobs`` in the order to start them: streamed layers (size unknown until read,
    usually being compressed) first, then the largest first, ties in plan order.

    With ``jobs`` workers the copy ends when the last blob does; starting the big
    ones first keeps a large layer from starting last and running alone (a 50 MB
    layer behind five others took a third of a copy's time).
    """

    def order(item: tuple[tuple[str, str], tuple[name.Repository, Layer]]) -> float:
        size = known_size(item[1][1])
        return float("-inf") if size is None else -size

    return sorted(blobs.items(), key=order)


class _RawManifest:
    def __init__(self, raw: bytes, media_type: str) -> None:
        self._raw = raw
        self._media_type = media_type

    def raw_manifest(self) -> bytes:
        return self._raw

    def media_type(self) -> str:
        return self._media_type


def _reference_name(job: _ManifestJob) -> str:
    """The full name of where ``job`` was PUT, as crane prints it (``repo:tag`` or ``repo@d``)."""
    separator = "@" if ":" in job.identifier else ":"  # tags cannot hold a colon
    return f"{job.repository.name}{separator}{job.identifier}"


def _open_child(index: object, child: Descriptor) -> object:
    """Child ``child`` of ``index`` as the view to push: an index, an image or raw bytes."""
    if types.is_index(child.media_type):
        return index.image_index(child.digest)  # type: ignore[attr-defined]
    if types.is_image(child.media_type):
        return index.image(child.digest)  # type: ignore[attr-defined]
    return _child_manifest(index, child)


def _child_manifest(index: object, child: Descriptor) -> _RawManifest:
    """A child that is neither image nor index (an artifact): its manifest, pushed as is."""
    child_raw = getattr(index, "child_raw", None)
    if callable(child_raw):
        raw, _ = child_raw(child.digest)
        return _RawManifest(raw, child.media_type)
    image = index.image(child.digest)  # type: ignore[attr-defined]
    return _RawManifest(image.raw_manifest(), child.media_type)


def write(ref: name.Reference, image: Image, **options: Unpack[OptionArgs]) -> None:
    """Push ``image`` to ``ref``: its blobs (HEAD, mount or upload), then its manifest.

    Layers read from another repository of the same registry are mounted. Options:
    see :class:`OptionArgs` (jobs = 4, chunk_size = one streamed PATCH, progress).
    """
    pusher = Pusher(Options.make(options))
    pusher.add(ref, image)
    pusher.run()


def write_index(ref: name.Reference, index: ImageIndex, **options: Unpack[OptionArgs]) -> None:
    """Push ``index`` to ``ref``: every child (nested indexes depth first), then the index."""
    pusher = Pusher(Options.make(options))
    pusher.add(ref, index)
    pusher.run()


def write_layer(repository: name.Repository, layer: Layer, **options: Unpack[OptionArgs]) -> None:
    """Upload one blob to ``repository`` (HEAD first, mount when possible)."""
    pusher = Pusher(Options.make(options))
    pusher.add(repository, layer)
    pusher.run()


def multi_write(items: Mapping[name.Reference, Writable], **options: Unpack[OptionArgs]) -> None:
    """Push several images and indexes at once; each blob moves once per repository.

    All blobs share one pool of ``jobs`` workers (default 4); manifests are PUT
    when their blobs are in, children before their indexes.
    """
    pusher = Pusher(Options.make(options))
    for ref, item in items.items():
        pusher.add(ref, item)
    pusher.run()


def put(ref: name.Reference, taggable: Taggable, **options: Unpack[OptionArgs]) -> None:
    """PUT ``taggable``'s manifest at ``ref`` (no blobs are pushed; they must be there)."""
    opts = Options.make(options)
    pusher = Pusher(opts)
    raw = taggable.raw_manifest()
    pusher._plan.manifests.append(
        _ManifestJob(ref.context, ref.identifier, raw, _media_type_of(taggable, raw), [])
    )
    pusher.run()


def tag(tag: name.Tag, taggable: Taggable, **options: Unpack[OptionArgs]) -> None:
    """Point ``tag`` at ``taggable``'s manifest (e.g. a ``remote.Descriptor`` from ``get``)."""
    put(tag, taggable, **options)


def delete(ref: name.Reference, **options: Unpack[OptionArgs]) -> None:
    """DELETE the manifest ``ref`` (by digest; by tag where the registry allows it)."""
    opts = Options.make(options)
    session = opts.session(ref.context, [ref.context.scope("push,pull,delete")])
    url = session.url(f"/v2/{ref.context.repository_str}/manifests/{ref.identifier}")
    response = session.delete(url)
    check_response(response, 200, 202)
    response.close()
