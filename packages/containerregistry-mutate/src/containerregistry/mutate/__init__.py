"""Change images and indexes: every mutation takes a view and returns a new, lazy view.

Append layers, replace configs, set annotations, subjects, media types and
times, rebase onto a new base, add or remove index children, and flatten an
image to one filesystem tar. Config and manifest bytes equal crane's for the
same operation.
"""

from containerregistry.mutate._annotations import RawManifestAnnotations, annotations, subject
from containerregistry.mutate._append import Addendum, append, append_layers, layer_media_type_for
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
from containerregistry.mutate._media_types import config_media_type, index_media_type, media_type
from containerregistry.mutate._rebase import rebase
from containerregistry.mutate._time import RetimedLayer, canonical, time

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
