"""The empty image and the empty index, the starting points of images built from scratch.

``empty.image`` has a Docker v2 manifest, no layers and the 115-byte empty config;
``empty.index`` is an OCI image index with no children.
"""

from containerregistry.empty._empty import image, index

__all__ = ["image", "index"]
