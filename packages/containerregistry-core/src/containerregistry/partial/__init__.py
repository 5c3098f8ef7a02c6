"""Full image, index and layer views derived from the small cores sources implement.

A source that knows its raw manifest, config and blobs (a registry, a layout) or
its config and uncompressed layers (a tarball, random data) implements a core and
gets a lazy, memoizing ``Image`` or ``Layer`` from here; the helper functions
derive single properties (diff IDs, descriptors, sizes) from the rest.
"""

from containerregistry.partial._compressed import (
    compressed_to_image,
    compressed_to_layer,
    image_from_blobs,
)
from containerregistry.partial._cores import (
    CompressedImageCore,
    CompressedLayerCore,
    UncompressedImageCore,
    UncompressedLayerCore,
)
from containerregistry.partial._errors import (
    BlobNotFoundError,
    LayerCountMismatchError,
    PartialError,
)
from containerregistry.partial._helpers import (
    artifact_type,
    blob_descriptor,
    blob_size,
    blob_to_diff_id,
    config_file,
    config_layer,
    config_name,
    descriptor,
    diff_id_to_blob,
    diff_ids,
    digest,
    find_images,
    find_indexes,
    find_manifests,
    fs_layers,
    manifest,
    raw_manifest,
    size,
    uncompressed_size,
)
from containerregistry.partial._index import index_from_raw
from containerregistry.partial._uncompressed import (
    compression_for,
    uncompressed_to_image,
    uncompressed_to_layer,
)

__all__ = [
    "BlobNotFoundError",
    "CompressedImageCore",
    "CompressedLayerCore",
    "LayerCountMismatchError",
    "PartialError",
    "UncompressedImageCore",
    "UncompressedLayerCore",
    "artifact_type",
    "blob_descriptor",
    "blob_size",
    "blob_to_diff_id",
    "compressed_to_image",
    "compressed_to_layer",
    "compression_for",
    "config_file",
    "config_layer",
    "config_name",
    "descriptor",
    "diff_id_to_blob",
    "diff_ids",
    "digest",
    "find_images",
    "find_indexes",
    "find_manifests",
    "fs_layers",
    "image_from_blobs",
    "index_from_raw",
    "manifest",
    "raw_manifest",
    "size",
    "uncompressed_size",
    "uncompressed_to_image",
    "uncompressed_to_layer",
]
