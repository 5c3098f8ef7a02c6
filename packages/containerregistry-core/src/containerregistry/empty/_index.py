"""The empty index."""

from __future__ import annotations

from containerregistry import types
from containerregistry.partial import index_from_raw
from containerregistry.v1 import ImageIndex, IndexManifest

#: An OCI index with no children:
#: ``{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}``.
index: ImageIndex = index_from_raw(
    IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=()).to_json(), children={}
)
