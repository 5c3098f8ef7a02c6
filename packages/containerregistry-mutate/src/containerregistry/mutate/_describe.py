"""Small helpers shared by the wrappers: descriptors and what kind of thing an object is."""

from __future__ import annotations

from typing import Any

from containerregistry import types
from containerregistry.v1 import Descriptor


def is_image(obj: object) -> bool:
    """Return whether ``obj`` looks like an ``Image`` (it has ``layers`` and ``manifest``)."""
    return callable(getattr(obj, "layers", None)) and callable(getattr(obj, "manifest", None))


def is_index(obj: object) -> bool:
    """Return whether ``obj`` looks like an ``ImageIndex`` (it has ``index_manifest``)."""
    return callable(getattr(obj, "index_manifest", None))


def describe(obj: Any) -> Descriptor:
    """Return the descriptor of a layer, image or index.

    An object's own ``descriptor()`` wins (a remote descriptor carries its platform
    and annotations); otherwise media type, size and digest, plus the artifact type
    of an image manifest whose config is not an image config.
    """
    own = getattr(obj, "descriptor", None)
    if callable(own):
        result = own()
        if isinstance(result, Descriptor):
            return result
    media_type = obj.media_type()
    artifact_type = ""
    if is_image(obj) and types.is_image(media_type):
        manifest = obj.manifest()
        artifact_type = manifest.artifact_type
        if not artifact_type and not types.is_config(manifest.config.media_type):
            artifact_type = manifest.config.media_type
    elif is_index(obj):
        artifact_type = obj.index_manifest().artifact_type
    return Descriptor(
        media_type=media_type, size=obj.size(), digest=obj.digest(), artifact_type=artifact_type
    )
