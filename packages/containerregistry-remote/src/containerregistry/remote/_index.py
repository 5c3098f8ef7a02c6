"""Indexes in a registry, and picking a platform's child from one."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.remote._errors import ManifestError, UnexpectedMediaTypeError
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._image import RemoteImage
from containerregistry.v1 import Descriptor, Hash, IndexManifest, Platform

if TYPE_CHECKING:
    from containerregistry.v1 import ImageIndex as _IndexProtocol

#: A child without a platform is taken to be this one, as crane does.
_IMPLIED_PLATFORM = Platform(os="linux", architecture="amd64")


def matches_platform(have: Platform | None, want: Platform) -> bool:
    """Return whether a child with platform ``have`` serves ``want`` (crane's rule).

    OS and architecture must be equal; variant and OS version count only when asked
    for; asked-for features must all be present. Stricter than ``Platform.satisfies``.
    """
    have = have or _IMPLIED_PLATFORM
    if have.os != want.os or have.architecture != want.architecture:
        return False
    if want.variant and have.variant != want.variant:
        return False
    if want.os_version and have.os_version != want.os_version:
        return False
    return set(want.features) <= set(have.features) and set(want.os_features) <= set(
        have.os_features
    )


def fetch_child(fetcher: Fetcher, child: Descriptor) -> bytes:
    """Return a child manifest's bytes: its embedded ``data``, else a GET accepting its type."""
    if child.data:
        if Hash.of(child.data) != child.digest or len(child.data) != child.size:
            raise ManifestError(
                f"{fetcher.repository.name}: the data embedded for {child.digest} does not match"
            )
        return child.data
    raw, found = fetcher.fetch_manifest(str(child.digest), accept=(child.media_type,))
    if found.size != child.size:
        raise ManifestError(
            f"{fetcher.repository.name}@{child.digest} is {found.size} bytes, "
            f"the index says {child.size}"
        )
    return raw


class RemoteIndex:
    """An index manifest ``raw`` read from ``fetcher``'s repository; children load on demand."""

    def __init__(self, fetcher: Fetcher, raw: bytes, descriptor: Descriptor) -> None:
        if types.is_image(descriptor.media_type):
            raise UnexpectedMediaTypeError(
                f"{fetcher.repository.name}@{descriptor.digest} is an image "
                f"({descriptor.media_type}), not an index"
            )
        self._fetcher = fetcher
        self._raw = raw
        self._descriptor = descriptor
        self._lock = threading.Lock()
        self._parsed: IndexManifest | None = None

    @property
    def fetcher(self) -> Fetcher:
        """Where the index is read from."""
        return self._fetcher

    def descriptor(self) -> Descriptor:
        """Return the index's descriptor."""
        return self._descriptor

    def media_type(self) -> str:
        """Return the index's media type."""
        return self._descriptor.media_type

    def digest(self) -> Hash:
        """Return the index's digest."""
        return self._descriptor.digest

    def size(self) -> int:
        """Return the size of the raw index."""
        return len(self._raw)

    def raw_manifest(self) -> bytes:
        """Return the index exactly as served."""
        return self._raw

    def index_manifest(self) -> IndexManifest:
        """Return the parsed index (parsed once)."""
        with self._lock:
            if self._parsed is None:
                self._parsed = IndexManifest.from_json(self._raw)
            return self._parsed

    def _child(self, digest: Hash) -> Descriptor:
        for child in self.index_manifest().manifests or ():
            if child.digest == digest:
                return child
        raise KeyError(f"{self._fetcher.repository.name}@{self.digest()} has no child {digest}")

    def child_raw(self, digest: Hash) -> tuple[bytes, Descriptor]:
        """Return the raw manifest of child ``digest`` and its descriptor in this index."""
        child = self._child(digest)
        return fetch_child(self._fetcher, child), child

    def image(self, digest: Hash) -> RemoteImage:
        """Return the child image ``digest``."""
        raw, child = self.child_raw(digest)
        return RemoteImage(self._fetcher, raw, child)

    def image_index(self, digest: Hash) -> RemoteIndex:
        """Return the child index ``digest``."""
        raw, child = self.child_raw(digest)
        return RemoteIndex(self._fetcher, raw, child)

    def child_for(self, platform: Platform) -> Descriptor | None:
        """Return the first child that serves ``platform``, or None."""
        for child in self.index_manifest().manifests or ():
            if matches_platform(child.platform, platform):
                return child
        return None


if TYPE_CHECKING:

    def _satisfies_index_protocol(index: RemoteIndex) -> _IndexProtocol:
        return index
