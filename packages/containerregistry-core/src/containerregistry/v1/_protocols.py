"""The three views every source produces and every sink consumes.

They are ``typing.Protocol``\\ s: a source implements a small core and
``containerregistry.partial`` derives the rest. Methods (not properties) because
many of them are lazy, may do I/O, and may raise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, Protocol, runtime_checkable

from containerregistry.lazy import record

if TYPE_CHECKING:
    from containerregistry.v1._config import ConfigFile
    from containerregistry.v1._hash import Hash
    from containerregistry.v1._manifest import IndexManifest, Manifest


@runtime_checkable
class Layer(Protocol):
    """One filesystem layer: a (usually compressed) tar blob."""

    def digest(self) -> Hash:
        """Return the sha256 of the compressed blob (what the manifest lists)."""
        ...

    def diff_id(self) -> Hash:
        """Return the sha256 of the uncompressed tar (what the config lists)."""
        ...

    def compressed(self) -> BinaryIO:
        """Open the blob as stored. The caller closes it; reading it to the end verifies it."""
        ...

    def uncompressed(self) -> BinaryIO:
        """Open the uncompressed tar. The caller closes it."""
        ...

    def size(self) -> int:
        """Return the size in bytes of the compressed blob."""
        ...

    def media_type(self) -> str:
        """Return the media type of the blob (e.g. a Docker or OCI layer type)."""
        ...


@runtime_checkable
class Image(Protocol):
    """A single-platform image: a manifest, a config, and layers."""

    def layers(self) -> list[Layer]:
        """Return the ordered layers of the image, base first."""
        ...

    def media_type(self) -> str:
        """Return the media type of the manifest."""
        ...

    def size(self) -> int:
        """Return the size in bytes of the raw manifest."""
        ...

    def config_name(self) -> Hash:
        """Return the digest of the raw config (the image ID)."""
        ...

    def config_file(self) -> ConfigFile:
        """Return the parsed config."""
        ...

    def raw_config_file(self) -> bytes:
        """Return the config exactly as stored."""
        ...

    def digest(self) -> Hash:
        """Return the sha256 of the raw manifest."""
        ...

    def manifest(self) -> Manifest:
        """Return the parsed manifest."""
        ...

    def raw_manifest(self) -> bytes:
        """Return the manifest exactly as stored or served."""
        ...

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the layer (or config blob) whose compressed digest is ``digest``."""
        ...

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Return the layer whose uncompressed digest is ``diff_id``."""
        ...


@runtime_checkable
class ImageIndex(Protocol):
    """A list of manifests (images or indexes), usually one per platform."""

    def media_type(self) -> str:
        """Return the media type of the index manifest."""
        ...

    def digest(self) -> Hash:
        """Return the sha256 of the raw index manifest."""
        ...

    def size(self) -> int:
        """Return the size in bytes of the raw index manifest."""
        ...

    def index_manifest(self) -> IndexManifest:
        """Return the parsed index manifest."""
        ...

    def raw_manifest(self) -> bytes:
        """Return the index manifest exactly as stored or served."""
        ...

    def image(self, digest: Hash) -> Image:
        """Return the child image with the given manifest digest."""
        ...

    def image_index(self, digest: Hash) -> ImageIndex:
        """Return the child index with the given manifest digest."""
        ...


@record
class Update:
    """A progress report: ``complete`` of ``total`` bytes, or the error that ended the work."""

    total: int
    complete: int
    error: BaseException | None = None


#: What every ``progress=`` option takes: called with each :class:`Update`.
ProgressCallback = Callable[[Update], None]
