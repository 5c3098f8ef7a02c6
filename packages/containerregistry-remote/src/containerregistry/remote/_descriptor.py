"""``get``, ``head``, ``image`` and ``index``: what a reference points at, fetched once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import name, types, v1
from containerregistry.remote._errors import ManifestError, PlatformNotFoundError, Schema1Error
from containerregistry.remote._fetcher import Fetcher
from containerregistry.remote._image import RemoteImage, Schema1Image
from containerregistry.remote._index import RemoteIndex
from containerregistry.remote._options import OptionArgs, Options

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Descriptor:
    """A manifest fetched from a registry: its bytes, descriptor and where it came from.

    :meth:`image`, :meth:`image_index` and :meth:`schema1` turn it into a lazy view
    without fetching the manifest again.
    """

    def __init__(
        self, ref: name.Reference, fetcher: Fetcher, raw: bytes, descriptor: v1.Descriptor
    ) -> None:
        self.ref = ref
        self.fetcher = fetcher
        self.manifest = raw
        self.descriptor = descriptor

    @property
    def media_type(self) -> str:
        """The manifest's media type."""
        return self.descriptor.media_type

    @property
    def digest(self) -> v1.Hash:
        """The manifest's digest."""
        return self.descriptor.digest

    @property
    def size(self) -> int:
        """The manifest's size in bytes."""
        return self.descriptor.size

    def raw_manifest(self) -> bytes:
        """Return the manifest exactly as served (a Descriptor can be tagged or put)."""
        return self.manifest

    def image(self) -> RemoteImage:
        """Return the image; for an index, its child for the options' platform.

        Raises :class:`Schema1Error` for schema 1 and :class:`PlatformNotFoundError`
        when no child of an index matches.
        """
        if types.is_schema1(self.media_type):
            raise Schema1Error(
                f"{self.ref.name} is a schema 1 manifest; only copying it as it is "
                "(Descriptor.schema1()) is supported"
            )
        if not types.is_index(self.media_type):
            return RemoteImage(self.fetcher, self.manifest, self.descriptor)
        index = self.image_index()
        platform = self.fetcher.options.platform
        while True:
            child = index.child_for(platform)
            if child is None:
                listed = ", ".join(
                    str(c.platform or "linux/amd64") for c in index.index_manifest().manifests or ()
                )
                raise PlatformNotFoundError(
                    f"no child of {self.ref.name} matches platform {platform} "
                    f"(it has: {listed or 'none'})"
                )
            if types.is_index(child.media_type):
                index = index.image_index(child.digest)
                continue
            return index.image(child.digest)

    def image_index(self) -> RemoteIndex:
        """Return the index; raises :class:`UnexpectedMediaTypeError` for an image."""
        if types.is_schema1(self.media_type):
            raise Schema1Error(f"{self.ref.name} is a schema 1 manifest, not an index")
        return RemoteIndex(self.fetcher, self.manifest, self.descriptor)

    def schema1(self) -> Schema1Image:
        """Return a schema 1 manifest as an image that can be copied (no config)."""
        return Schema1Image(self.fetcher, self.manifest, self.descriptor)

    def __repr__(self) -> str:
        return f"Descriptor({self.ref.name!r}, {self.media_type!r}, {self.digest})"


def get(ref: name.Reference, **options: Unpack[OptionArgs]) -> Descriptor:
    """Fetch the manifest ``ref`` names (any kind: image, index, schema 1) once.

    Options: see :class:`OptionArgs` (keychain = default keychain, platform =
    linux/amd64 for a later ``.image()``). Raises ``RegistryError`` (e.g. 404
    MANIFEST_UNKNOWN) or :class:`ManifestError` when a digest does not match.
    """
    opts = Options.make(options)
    fetcher = Fetcher.for_repository(ref.context, opts)
    raw, descriptor = fetcher.fetch_manifest(ref.identifier)
    return Descriptor(ref, fetcher, raw, descriptor)


#: HEAD answers after which a GET is tried: 405 from registries and proxies that do not
#: allow HEAD on manifests, 404 from pull-through caches (Harbor proxy projects, Nexus)
#: that only fetch from upstream on GET.
_HEAD_FALLBACK_STATUSES = frozenset({404, 405})


def head(ref: name.Reference, **options: Unpack[OptionArgs]) -> v1.Descriptor:
    """Return the descriptor of ``ref`` from a HEAD request (no body is downloaded).

    When the registry answers the HEAD with 404 or 405, or without the
    ``Content-Type``, ``Content-Length`` or ``Docker-Content-Digest`` headers, the
    manifest is fetched with a GET instead and its digest computed from the bytes.
    Raises ``RegistryError`` (e.g. 404 MANIFEST_UNKNOWN) when the GET fails too.
    """
    from containerregistry.transport import RegistryError

    opts = Options.make(options)
    fetcher = Fetcher.for_repository(ref.context, opts)
    try:
        return fetcher.head_manifest(ref.identifier)
    except RegistryError as exc:
        if exc.status not in _HEAD_FALLBACK_STATUSES:
            raise
    except ManifestError:
        pass  # a HEAD answer without the headers that describe the manifest
    _, descriptor = fetcher.fetch_manifest(ref.identifier)
    return descriptor


def image(ref: name.Reference, **options: Unpack[OptionArgs]) -> RemoteImage:
    """Return the image ``ref`` names, lazily; an index gives its ``platform`` child.

    Default platform linux/amd64, as crane. See :meth:`Descriptor.image`.
    """
    return get(ref, **options).image()


def index(ref: name.Reference, **options: Unpack[OptionArgs]) -> RemoteIndex:
    """Return the index ``ref`` names, lazily (children are fetched when asked for)."""
    return get(ref, **options).image_index()
