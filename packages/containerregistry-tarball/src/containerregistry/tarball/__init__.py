"""``docker save`` tarballs: read images from them and write images to them as crane does.

Reading accepts docker save (before and after Docker 25's OCI-in-tar layout) and
crane tarballs, follows links inside the archive only, and never recompresses
layers that are already compressed. ``layer_from_file`` and friends make layers
from tar files, compressed or not.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
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
    from containerregistry.tarball._manifest import (
        ManifestDescriptor,
        load_manifest,
        manifest_to_json,
    )
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

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "BlobLayer": "_layer",
    "calculate_size": "_write",
    "compute_manifest": "_write",
    "image": "_image",
    "image_from_path": "_image",
    "InvalidTarballError": "_errors",
    "layer_file_name": "_write",
    "layer_from_file": "_layer",
    "layer_from_opener": "_layer",
    "layer_from_reader": "_layer",
    "LayerOptionError": "_errors",
    "load_manifest": "_manifest",
    "manifest_to_json": "_manifest",
    "ManifestDescriptor": "_manifest",
    "multi_ref_write": "_write",
    "multi_ref_write_to_file": "_write",
    "multi_write": "_write",
    "multi_write_to_file": "_write",
    "Opener": "_archive",
    "ProgressCallback": "_write",
    "Reference": "_write",
    "TagNotFoundError": "_errors",
    "TarballError": "_errors",
    "TarballImage": "_image",
    "write": "_write",
    "write_to_file": "_write",
}

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


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
