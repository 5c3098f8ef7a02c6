"""Validation of images, indexes and layers: do the digests and sizes match the bytes?

Every check reads blobs as streams, so memory stays flat for layers of any size;
all problems found are reported together in one :class:`ValidationError`.
"""

from containerregistry.validate._errors import ValidationError
from containerregistry.validate._validate import image, index, layer

__all__ = ["ValidationError", "image", "index", "layer"]
