"""Change images and indexes: every mutation takes a view and returns a new, lazy view.

Append layers, replace configs, set annotations, subjects, media types and
times, rebase onto a new base, add or remove index children, and flatten an
image to one filesystem tar. Config and manifest bytes equal crane's for the
same operation.
"""

# No ``from __future__ import annotations`` here: it would bind the name
# ``annotations``, which this package exports as a function.
from containerregistry.lazy import attach

# Not typing's: importing typing would cost every first import what laziness saves.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.mutate._annotations import RawManifestAnnotations, annotations, subject
    from containerregistry.mutate._append import (
        Addendum,
        append,
        append_layers,
        layer_media_type_for,
    )
    from containerregistry.mutate._config import config, config_file, created_at
    from containerregistry.mutate._errors import MutateError, NotBasedOnError, UnsafePathError
    from containerregistry.mutate._extract import extract, extract_to
    from containerregistry.mutate._image import MutatedImage
    from containerregistry.mutate._index import (
        IndexAddendum,
        MutatedIndex,
        append_manifests,
        remove_manifests,
    )
    from containerregistry.mutate._media_types import (
        config_media_type,
        index_media_type,
        media_type,
    )
    from containerregistry.mutate._rebase import rebase
    from containerregistry.mutate._time import RetimedLayer, canonical, time

# Names load with their module on first use, so that importing the package (every
# CLI start) pays only for what the command calls (see "Cheap start").
_MODULE_OF: dict[str, str] = {
    "Addendum": "_append",
    "annotations": "_annotations",
    "append": "_append",
    "append_layers": "_append",
    "append_manifests": "_index",
    "canonical": "_time",
    "config": "_config",
    "config_file": "_config",
    "config_media_type": "_media_types",
    "created_at": "_config",
    "extract": "_extract",
    "extract_to": "_extract",
    "index_media_type": "_media_types",
    "IndexAddendum": "_index",
    "layer_media_type_for": "_append",
    "media_type": "_media_types",
    "MutatedImage": "_image",
    "MutatedIndex": "_index",
    "MutateError": "_errors",
    "NotBasedOnError": "_errors",
    "RawManifestAnnotations": "_annotations",
    "rebase": "_rebase",
    "remove_manifests": "_index",
    "RetimedLayer": "_time",
    "subject": "_annotations",
    "time": "_time",
    "UnsafePathError": "_errors",
}

__all__ = [
    "Addendum",
    "IndexAddendum",
    "MutateError",
    "MutatedImage",
    "MutatedIndex",
    "NotBasedOnError",
    "RawManifestAnnotations",
    "RetimedLayer",
    "UnsafePathError",
    "annotations",
    "append",
    "append_layers",
    "append_manifests",
    "canonical",
    "config",
    "config_file",
    "config_media_type",
    "created_at",
    "extract",
    "extract_to",
    "index_media_type",
    "layer_media_type_for",
    "media_type",
    "rebase",
    "remove_manifests",
    "subject",
    "time",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
