"""Checks that every digest, size and media type of a view agrees with its bytes.

Blobs are streamed in bounded chunks: validating a layer of any size keeps memory
flat. Every problem found is collected; the error lists them all.
"""

from __future__ import annotations

import functools
import hashlib
import tarfile
from collections.abc import Callable
from typing import Any, BinaryIO, TypeVar

from containerregistry import types
from containerregistry.compression import decompress
from containerregistry.errors import ContainerRegistryError
from containerregistry.v1 import (
    ConfigFile,
    Hash,
    Image,
    ImageIndex,
    IndexManifest,
    Layer,
    Manifest,
    Platform,
)
from containerregistry.validate._errors import ValidationError

_CHUNK_SIZE = 1 << 20
_T = TypeVar("_T")
#: Failures of a view are reported, not raised: sources raise our errors, but also
#: OSError (files), ValueError and LookupError (bad data, missing children).
_VIEW_ERRORS = (ContainerRegistryError, OSError, ValueError, LookupError, EOFError)


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def mismatch(self, what: str, claimed: object, actual: object) -> None:
        if claimed != actual:
            self.add(f"{what}: the view says {claimed}, the content gives {actual}")

    def attempt(self, what: str, action: Callable[[], _T]) -> _T | None:
        try:
            return action()
        except _VIEW_ERRORS as exc:
            self.add(f"{what} failed: {exc}")
            return None


class _HashingReader:
    """Hashes and counts what is read through it; ``prefix`` is served first."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._hasher = hashlib.sha256()
        self.count = 0
        self._prefix = b""

    def unread(self, data: bytes) -> None:
        self._prefix = data + self._prefix

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size is None or size < 0 or size >= len(self._prefix):
                data, self._prefix = self._prefix, b""
                return data
            data, self._prefix = self._prefix[:size], self._prefix[size:]
            return data
        chunk = self._source.read(_CHUNK_SIZE if size is None or size < 0 else size)
        if chunk:
            self._hasher.update(chunk)
            self.count += len(chunk)
        return chunk

    def drain(self) -> None:
        while self.read(_CHUNK_SIZE):
            pass

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Do nothing: the caller closes the underlying stream."""

    def digest(self) -> Hash:
        return Hash("sha256", self._hasher.hexdigest())


def _check_tar(reader: _HashingReader) -> str | None:
    """Read the stream as a tar to its end; return why it is not one, or None."""
    head = reader.read(tarfile.BLOCKSIZE)
    if not head:
        return None  # an empty stream is an empty layer, as Go's tar reader sees it
    reader.unread(head)
    try:
        with tarfile.open(fileobj=reader, mode="r|") as archive:  # type: ignore[call-overload]
            for _member in archive:
                pass  # iterating a stream skips each member's data, reading it
    except tarfile.TarError as exc:
        return f"not a readable tar archive: {exc}"
    return None


def _layer_problems(layer: Layer, problems: _Problems, what: str, *, fast: bool) -> None:
    if fast:
        stream = problems.attempt(f"{what}: opening the blob", layer.compressed)
        if stream is not None:
            stream.close()
        return
    digest = problems.attempt(f"{what}: digest()", layer.digest)
    size = problems.attempt(f"{what}: size()", layer.size)
    diff_id = problems.attempt(f"{what}: diff_id()", layer.diff_id)
    media_type = problems.attempt(f"{what}: media_type()", layer.media_type)
    is_tar = media_type is None or types.is_layer(media_type)

    def read_compressed() -> tuple[Hash, int, Hash]:
        with layer.compressed() as stream:
            blob = _HashingReader(stream)
            with decompress(blob) as tar:  # type: ignore[arg-type]
                content = _HashingReader(tar)
                content.drain()
            blob.drain()
        return blob.digest(), blob.count, content.digest()

    result = problems.attempt(f"{what}: reading the compressed blob", read_compressed)
    if result is not None:
        actual_digest, actual_size, unpacked_diff_id = result
        if digest is not None:
            problems.mismatch(f"{what}: compressed digest", digest, actual_digest)
        if size is not None:
            problems.mismatch(f"{what}: compressed size", size, actual_size)
        if diff_id is not None and is_tar:
            problems.mismatch(
                f"{what}: diff ID of the decompressed blob", diff_id, unpacked_diff_id
            )

    def read_uncompressed() -> tuple[Hash, str | None]:
        with layer.uncompressed() as stream:
            content = _HashingReader(stream)
            tar_problem = _check_tar(content) if is_tar else None
            content.drain()
        return content.digest(), tar_problem

    checked = problems.attempt(f"{what}: reading the uncompressed layer", read_uncompressed)
    if checked is not None:
        actual_diff_id, tar_problem = checked
        if diff_id is not None and is_tar:
            problems.mismatch(f"{what}: diff ID", diff_id, actual_diff_id)
        if tar_problem is not None:
            problems.add(f"{what}: {tar_problem}")


def _manifest_problems(view: Any, problems: _Problems, what: str) -> bytes | None:
    raw: bytes | None = problems.attempt(f"{what}: raw_manifest()", view.raw_manifest)
    if raw is None:
        return None
    digest = problems.attempt(f"{what}: digest()", view.digest)
    if digest is not None:
        problems.mismatch(f"{what}: manifest digest", digest, Hash.of(raw))
    size = problems.attempt(f"{what}: size()", view.size)
    if size is not None:
        problems.mismatch(f"{what}: manifest size", size, len(raw))
    return raw


def _image_problems(image: Image, problems: _Problems, what: str, *, fast: bool) -> None:
    raw = _manifest_problems(image, problems, what)
    parsed = (
        None
        if raw is None
        else problems.attempt(f"{what}: parsing the raw manifest", lambda: Manifest.from_json(raw))
    )
    manifest = problems.attempt(f"{what}: manifest()", image.manifest)
    if parsed is not None and manifest is not None and parsed != manifest:
        problems.add(f"{what}: manifest() differs from the parsed raw manifest")
    media_type = problems.attempt(f"{what}: media_type()", image.media_type)
    if parsed is not None and parsed.media_type and media_type is not None:
        problems.mismatch(f"{what}: manifest media type", media_type, parsed.media_type)
    manifest = parsed or manifest
    if manifest is None:
        return

    raw_config = problems.attempt(f"{what}: raw_config_file()", image.raw_config_file)
    config: ConfigFile | None = None
    if raw_config is not None:
        actual_name = Hash.of(raw_config)
        name = problems.attempt(f"{what}: config_name()", image.config_name)
        if name is not None:
            problems.mismatch(f"{what}: config name", name, actual_name)
        problems.mismatch(
            f"{what}: config digest in the manifest", manifest.config.digest, actual_name
        )
        problems.mismatch(
            f"{what}: config size in the manifest", manifest.config.size, len(raw_config)
        )
        if types.is_config(manifest.config.media_type) or not manifest.config.media_type:
            config = problems.attempt(
                f"{what}: parsing the raw config", lambda: ConfigFile.from_json(raw_config)
            )
            own = problems.attempt(f"{what}: config_file()", image.config_file)
            if config is not None and own is not None and config != own:
                problems.add(f"{what}: config_file() differs from the parsed raw config")

    layers = problems.attempt(f"{what}: layers()", image.layers)
    if layers is None:
        return
    descriptors = list(manifest.layers or ())
    problems.mismatch(f"{what}: number of layers", len(descriptors), len(layers))
    diff_ids = None if config is None else list(config.rootfs.diff_ids or ())
    if diff_ids is not None:
        problems.mismatch(
            f"{what}: number of diff_ids in the config", len(descriptors), len(diff_ids)
        )
    for position, (descriptor, layer) in enumerate(zip(descriptors, layers, strict=False)):
        label = f"{what}: layer {position} ({descriptor.digest})"
        digest = problems.attempt(f"{label}: digest()", layer.digest)
        if digest is not None:
            problems.mismatch(f"{label}: digest in the manifest", descriptor.digest, digest)
        size = problems.attempt(f"{label}: size()", layer.size)
        if size is not None:
            problems.mismatch(f"{label}: size in the manifest", descriptor.size, size)
        layer_type = problems.attempt(f"{label}: media_type()", layer.media_type)
        if layer_type is not None:
            problems.mismatch(
                f"{label}: media type in the manifest", descriptor.media_type, layer_type
            )
        if (
            diff_ids is not None
            and position < len(diff_ids)
            and types.is_layer(descriptor.media_type)
        ):
            diff_id = problems.attempt(f"{label}: diff_id()", layer.diff_id)
            if diff_id is not None:
                problems.mismatch(f"{label}: diff ID in the config", diff_ids[position], diff_id)
        _layer_problems(layer, problems, label, fast=fast)


def _platform_problems(
    claimed: Platform, config: ConfigFile | None, problems: _Problems, what: str
) -> None:
    if config is None:
        return
    # The os and architecture must agree; variant and os.version only when the
    # config states them too (many configs leave them out).
    pairs = [
        ("os", claimed.os, config.os),
        ("architecture", claimed.architecture, config.architecture),
    ]
    if config.variant:
        pairs.append(("variant", claimed.variant, config.variant))
    if config.os_version:
        pairs.append(("os.version", claimed.os_version, config.os_version))
    for field, in_index, in_config in pairs:
        if in_index != in_config:
            problems.add(
                f"{what}: platform {field} is {in_index!r} in the index but {in_config!r} "
                "in the image config"
            )


def _index_problems(index: ImageIndex, problems: _Problems, what: str, *, fast: bool) -> None:
    raw = _manifest_problems(index, problems, what)
    parsed = (
        None
        if raw is None
        else problems.attempt(
            f"{what}: parsing the raw index manifest", lambda: IndexManifest.from_json(raw)
        )
    )
    own = problems.attempt(f"{what}: index_manifest()", index.index_manifest)
    if parsed is not None and own is not None and parsed != own:
        problems.add(f"{what}: index_manifest() differs from the parsed raw manifest")
    media_type = problems.attempt(f"{what}: media_type()", index.media_type)
    if parsed is not None and parsed.media_type and media_type is not None:
        problems.mismatch(f"{what}: index media type", media_type, parsed.media_type)
    manifest = parsed or own
    if manifest is None:
        return
    for position, child in enumerate(manifest.manifests or ()):
        label = f"{what}: child {position} ({child.digest})"
        view: Any
        if types.is_index(child.media_type):
            view = problems.attempt(
                f"{label}: image_index()", functools.partial(index.image_index, child.digest)
            )
        elif types.is_image(child.media_type):
            view = problems.attempt(
                f"{label}: image()", functools.partial(index.image, child.digest)
            )
        else:
            continue  # other media types (artifacts, blobs) have nothing more to check here
        if view is None:
            continue
        for field, claimed, method in (
            ("digest", child.digest, view.digest),
            ("size", child.size, view.size),
            ("media type", child.media_type, view.media_type),
        ):
            actual = problems.attempt(f"{label}: {field}", method)
            if actual is not None:
                problems.mismatch(f"{label}: {field} in the index", claimed, actual)
        if types.is_index(child.media_type):
            _index_problems(view, problems, label, fast=fast)
        else:
            _image_problems(view, problems, label, fast=fast)
            if child.platform is not None:
                config = problems.attempt(f"{label}: config_file()", view.config_file)
                _platform_problems(child.platform, config, problems, label)


def layer(layer: Layer, *, fast: bool = False) -> None:
    """Check a layer: compressed digest and size, diff ID, and that it is a tar.

    Both streams are read to their end in bounded chunks. ``fast`` (default
    False) only checks that the blob can be opened. Raises
    :class:`ValidationError` listing every problem.
    """
    problems = _Problems()
    _layer_problems(layer, problems, "layer", fast=fast)
    if problems.items:
        raise ValidationError("the layer", problems.items)


def image(image: Image, *, fast: bool = False) -> None:
    """Check an image: manifest, config and every layer against their bytes.

    Manifest digest and size against the raw manifest; config name, digest and
    size against the raw config; layer count, digests, sizes, media types and
    diff IDs against manifest and config; then each layer as :func:`layer` does.
    ``fast`` (default False) only checks that each layer blob can be opened.
    Raises :class:`ValidationError` listing every problem.
    """
    problems = _Problems()
    _image_problems(image, problems, "image", fast=fast)
    if problems.items:
        raise ValidationError("the image", problems.items)


def index(index: ImageIndex, *, fast: bool = False) -> None:
    """Check an index and, recursively, every image and index it lists.

    Each child's digest, size and media type must match its descriptor, and a
    descriptor's platform must agree with the child's config (os and
    architecture; variant and os.version when the config has them). ``fast``
    (default False) is passed on to :func:`image`. Raises :class:`ValidationError`.
    """
    problems = _Problems()
    _index_problems(index, problems, "index", fast=fast)
    if problems.items:
        raise ValidationError("the index", problems.items)
