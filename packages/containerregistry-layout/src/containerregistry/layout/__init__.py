"""OCI image layouts: a directory of blobs with an ``index.json``.

Read images and indexes from a layout, write new layouts, and append, replace or
remove entries in place. ``index.json`` changes are atomic and serialized by a file
lock, so concurrent writers lose nothing.
"""

from containerregistry.layout._errors import BlobNotFoundError, InvalidLayoutError, LayoutError
from containerregistry.layout._gcs import (
    GCS_SCHEME,
    GcsLayout,
    gcs_layout,
    is_gcs_path,
    split_gcs_path,
    write_gcs,
)
from containerregistry.layout._layout import (
    DEFAULT_JOBS,
    Layout,
    Matcher,
    Path,
    from_path,
    image_index_from_path,
    write,
)
from containerregistry.layout._views import LayoutImage, LayoutIndex, LayoutLayer

__all__ = [
    "DEFAULT_JOBS",
    "GCS_SCHEME",
    "BlobNotFoundError",
    "GcsLayout",
    "InvalidLayoutError",
    "Layout",
    "LayoutError",
    "LayoutImage",
    "LayoutIndex",
    "LayoutLayer",
    "Matcher",
    "Path",
    "from_path",
    "gcs_layout",
    "image_index_from_path",
    "is_gcs_path",
    "split_gcs_path",
    "write",
    "write_gcs",
]
