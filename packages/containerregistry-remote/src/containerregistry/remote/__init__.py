"""Reading from and writing to OCI and Docker registries.

``get``, ``image``, ``index`` and ``layer`` give lazy, verified views of what a
registry holds; ``write``, ``write_index``, ``multi_write``, ``tag``, ``put`` and
``delete`` change it, moving blobs concurrently, mounting across repositories and
resuming broken uploads. ``list_tags``, ``catalog`` and ``referrers`` list what is there.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.remote._descriptor import Descriptor, get, head, image, index
    from containerregistry.remote._errors import (
        BlobFetchError,
        ManifestError,
        OptionsError,
        PlatformNotFoundError,
        RemoteError,
        Schema1Error,
        UnexpectedMediaTypeError,
        UploadError,
    )
    from containerregistry.remote._image import RemoteImage, Schema1Image
    from containerregistry.remote._index import RemoteIndex, matches_platform
    from containerregistry.remote._layer import RemoteLayer, layer
    from containerregistry.remote._list import catalog, catalog_page, list_tags
    from containerregistry.remote._options import (
        DEFAULT_JOBS,
        DEFAULT_PAGE_SIZE,
        DEFAULT_PLATFORM,
        OptionArgs,
        Options,
    )
    from containerregistry.remote._referrers import fallback_tag, referrers
    from containerregistry.remote._write import (
        Taggable,
        delete,
        multi_write,
        put,
        tag,
        write,
        write_index,
        write_layer,
    )

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "BlobFetchError": "_errors",
    "catalog": "_list",
    "catalog_page": "_list",
    "DEFAULT_JOBS": "_options",
    "DEFAULT_PAGE_SIZE": "_options",
    "DEFAULT_PLATFORM": "_options",
    "delete": "_write",
    "Descriptor": "_descriptor",
    "fallback_tag": "_referrers",
    "get": "_descriptor",
    "head": "_descriptor",
    "image": "_descriptor",
    "index": "_descriptor",
    "layer": "_layer",
    "list_tags": "_list",
    "ManifestError": "_errors",
    "matches_platform": "_index",
    "multi_write": "_write",
    "OptionArgs": "_options",
    "Options": "_options",
    "OptionsError": "_errors",
    "PlatformNotFoundError": "_errors",
    "put": "_write",
    "referrers": "_referrers",
    "RemoteError": "_errors",
    "RemoteImage": "_image",
    "RemoteIndex": "_index",
    "RemoteLayer": "_layer",
    "Schema1Error": "_errors",
    "Schema1Image": "_image",
    "tag": "_write",
    "Taggable": "_write",
    "UnexpectedMediaTypeError": "_errors",
    "UploadError": "_errors",
    "write": "_write",
    "write_index": "_write",
    "write_layer": "_write",
}

__all__ = [
    "DEFAULT_JOBS",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_PLATFORM",
    "BlobFetchError",
    "Descriptor",
    "ManifestError",
    "OptionArgs",
    "Options",
    "OptionsError",
    "PlatformNotFoundError",
    "RemoteError",
    "RemoteImage",
    "RemoteIndex",
    "RemoteLayer",
    "Schema1Error",
    "Schema1Image",
    "Taggable",
    "UnexpectedMediaTypeError",
    "UploadError",
    "catalog",
    "catalog_page",
    "delete",
    "fallback_tag",
    "get",
    "head",
    "image",
    "index",
    "layer",
    "list_tags",
    "matches_platform",
    "multi_write",
    "put",
    "referrers",
    "tag",
    "write",
    "write_index",
    "write_layer",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
