"""``docker save`` tarballs: read images from them and write images to them as crane does.

Reading accepts docker save (before and after Docker 25's OCI-in-tar layout) and
crane tarballs, follows links inside the archive only, and never recompresses
layers that are already compressed. ``layer_from_file`` and friends make layers
from tar files, compressed or not.
"""

from containerregistry.tarball._archive import Opener
from containerregistry.tarball._errors import (
    InvalidTarballError,
    LayerOptionError,
    TagNotFoundError,
    TarballError,
)
from containerregistry.tarball._image import TarballImage, image, image_from_path
from containerregistry.tarball._layer import (
    BlobLayer,
    layer_from_file,
    layer_from_opener,
    layer_from_reader,
)
from containerregistry.tarball._manifest import ManifestDescriptor, load_manifest, manifest_to_json
from containerregistry.tarball._write import (
    ProgressCallback,
    Reference,
    calculate_size,
    compute_manifest,
    layer_file_name,
    multi_ref_write,
    multi_ref_write_to_file,
    multi_write,
    multi_write_to_file,
    write,
    write_to_file,
)

__all__ = [
    "BlobLayer",
    "InvalidTarballError",
    "LayerOptionError",
    "ManifestDescriptor",
    "Opener",
    "ProgressCallback",
    "Reference",
    "TagNotFoundError",
    "TarballError",
    "TarballImage",
    "calculate_size",
    "compute_manifest",
    "image",
    "image_from_path",
    "layer_file_name",
    "layer_from_file",
    "layer_from_opener",
    "layer_from_reader",
    "load_manifest",
    "manifest_to_json",
    "multi_ref_write",
    "multi_ref_write_to_file",
    "multi_write",
    "multi_write_to_file",
    "write",
    "write_to_file",
]
