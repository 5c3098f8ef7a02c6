"""The empty image and the empty index, the starting points of images built from scratch.

``empty.image`` has a Docker v2 manifest, no layers and the 115-byte empty config;
``empty.index`` is an OCI image index with no children.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Each loads on first use: a new OCI layout needs the index, not the image's config.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.empty._image import image
    from containerregistry.empty._index import index

_MODULE_OF: dict[str, str] = {
    "image": "_image",
    "index": "_index",
}

__all__ = [
    "image",
    "index",
]

__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
