"""Reading from and writing to OCI and Docker registries.

``get``, ``image``, ``index`` and ``layer`` give lazy, verified views of what a
registry holds; ``write``, ``write_index``, ``multi_write``, ``tag``, ``put`` and
``delete`` change it, moving blobs concurrently, mounting across repositories and
resuming broken uploads. ``list_tags``, ``catalog`` and ``referrers`` list what is there.
"""

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
