"""Full image, index and layer views derived from the small cores sources implement.

A source that knows its raw manifest, config and blobs (a registry, a layout) or
its config and uncompressed layers (a tarball, random data) implements a core and
gets a lazy, memoizing ``Image`` or ``Layer`` from here; the helper functions
derive single properties (diff IDs, descriptors, sizes) from the rest.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Names load with their module on first use, as in containerregistry.v1: a source
# that needs one helper does not pay for the rest (and for the config classes).
TYPE_CHECKING = False
if TYPE_CHECKING:
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

_MODULE_OF: dict[str, str] = {
    "artifact_type": "_helpers",
    "blob_descriptor": "_helpers",
    "blob_size": "_helpers",
    "blob_to_diff_id": "_helpers",
    "BlobNotFoundError": "_errors",
    "compressed_to_image": "_compressed",
    "compressed_to_layer": "_compressed",
    "CompressedImageCore": "_cores",
    "CompressedLayerCore": "_cores",
    "compression_for": "_uncompressed",
    "config_file": "_helpers",
    "config_layer": "_helpers",
    "config_name": "_helpers",
    "descriptor": "_helpers",
    "diff_id_to_blob": "_helpers",
    "diff_ids": "_helpers",
    "digest": "_helpers",
    "find_images": "_helpers",
    "find_indexes": "_helpers",
    "find_manifests": "_helpers",
    "fs_layers": "_helpers",
    "image_from_blobs": "_compressed",
    "index_from_raw": "_index",
    "LayerCountMismatchError": "_errors",
    "manifest": "_helpers",
    "PartialError": "_errors",
    "raw_manifest": "_helpers",
    "size": "_helpers",
    "uncompressed_size": "_helpers",
    "uncompressed_to_image": "_uncompressed",
    "uncompressed_to_layer": "_uncompressed",
    "UncompressedImageCore": "_cores",
    "UncompressedLayerCore": "_cores",
}

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

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
