"""Layers and blobs that live in a registry: streamed fresh and verified on every read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO

from containerregistry import compression, name
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._options import OptionArgs, Options
from containerregistry.v1 import Descriptor, Hash

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry.v1 import Layer as _LayerProtocol


class RemoteLayer:
    """A blob in a repository, described by ``descriptor``.

    :meth:`compressed` opens a new verified stream each call (nothing is cached).
    ``repository`` is where it lives, so a push to the same registry can mount it
    instead of sending its bytes.
    """

    def __init__(
        self,
        fetcher: Fetcher,
        descriptor: Descriptor,
        *,
        diff_id: Callable[[], Hash] | None = None,
    ) -> None:
        self._fetcher = fetcher
        self._descriptor = descriptor
        self._diff_id_source = diff_id
        self._diff_id: Hash | None = None
        self._lock = threading.Lock()

    @property
    def repository(self) -> name.Repository:
        """The repository the blob is read from (the mount source)."""
        return self._fetcher.repository

    def descriptor(self) -> Descriptor:
        """Return the blob's descriptor as the manifest lists it."""
        return self._descriptor

    def digest(self) -> Hash:
        """Return the sha256 of the blob."""
        return self._descriptor.digest

    def size(self) -> int:
        """Return the size of the blob in bytes."""
        return self._descriptor.size

    def media_type(self) -> str:
        """Return the blob's media type."""
        return self._descriptor.media_type

    def compressed(self) -> BinaryIO:
        """Open the blob as stored; it is checked against digest and size as it is read."""
        d = self._descriptor
        return self._fetcher.open_blob(d.digest, d.size, d.urls)

    def uncompressed(self) -> BinaryIO:
        """Open the blob decompressed (gzip and zstd are sniffed)."""
        return compression.decompress(self.compressed())

    def diff_id(self) -> Hash:
        """Return the uncompressed digest: from the image config, else by reading the blob once."""
        with self._lock:
            if self._diff_id is not None:
                return self._diff_id
        if self._diff_id_source is not None:
            found = self._diff_id_source()
        else:
            with self.uncompressed() as stream:
                found, _ = Hash.of_stream(stream)
        with self._lock:
            self._diff_id = found
        return found


def layer(ref: name.Digest, **options: Unpack[OptionArgs]) -> RemoteLayer:
    """Return the blob ``ref`` (``repo@sha256:...``) as a lazy layer.

    Nothing is fetched until it is read, except one HEAD for its size. Options: see
    :class:`~containerregistry.remote.OptionArgs` (defaults: default keychain).
    """
    opts = Options.make(options)
    fetcher = Fetcher.for_repository(ref.context, opts)
    digest = Hash.parse(ref.digest_str)
    size = fetcher.blob_size(digest)
    if size is None:
        from containerregistry.transport import RegistryError

        raise RegistryError(
            404, method="HEAD", url=fetcher.url("blobs", str(digest)), body="blob not found"
        )
    descriptor = Descriptor(
        media_type="application/octet-stream", size=size if size >= 0 else 0, digest=digest
    )
    return RemoteLayer(fetcher, descriptor)


if TYPE_CHECKING:

    def _satisfies_layer_protocol(layer: RemoteLayer) -> _LayerProtocol:
        return layer
