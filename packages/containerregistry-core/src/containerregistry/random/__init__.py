"""Random images, indexes and layers for tests and benchmarks.

Layer bytes are generated on demand, so large layers cost no memory; a ``seed``
makes everything (bytes and digests) the same on every run.
"""

from containerregistry.random._random import image, index, layer

__all__ = ["image", "index", "layer"]
