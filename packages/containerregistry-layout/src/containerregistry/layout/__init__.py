"""OCI image layouts: a directory of blobs with an ``index.json``.

Read images and indexes from a layout, write new layouts, and append, replace or
remove entries in place. ``index.json`` changes are atomic and serialized by a file
lock, so concurrent writers lose nothing.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
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
        create,
        from_path,
        image_index_from_path,
        write,
    )
    from containerregistry.layout._views import LayoutImage, LayoutIndex, LayoutLayer

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "BlobNotFoundError": "_errors",
    "create": "_layout",
    "DEFAULT_JOBS": "_layout",
    "from_path": "_layout",
    "gcs_layout": "_gcs",
    "GCS_SCHEME": "_gcs",
    "GcsLayout": "_gcs",
    "image_index_from_path": "_layout",
    "InvalidLayoutError": "_errors",
    "is_gcs_path": "_gcs",
    "Layout": "_layout",
    "LayoutError": "_errors",
    "LayoutImage": "_views",
    "LayoutIndex": "_views",
    "LayoutLayer": "_views",
    "Matcher": "_layout",
    "Path": "_layout",
    "split_gcs_path": "_gcs",
    "write": "_layout",
    "write_gcs": "_gcs",
}

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
    "create",
    "from_path",
    "gcs_layout",
    "image_index_from_path",
    "is_gcs_path",
    "split_gcs_path",
    "write",
    "write_gcs",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
