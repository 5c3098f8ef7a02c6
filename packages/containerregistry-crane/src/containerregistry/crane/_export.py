"""``export``: write an image's flattened filesystem as one tar, as ``crane export`` does."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from containerregistry.v1 import Image

#: Bytes copied at a time: large enough that per-call overhead vanishes, small
#: enough to keep memory flat whatever the image size.
_CHUNK = 1 << 20


def export(image: Image, out: BinaryIO) -> None:
    """Write the filesystem of ``image`` to ``out`` as a single tar (``crane.Export``).

    Layers are applied top-down as a container runtime would (whiteouts and opaque
    directories honoured, the first occurrence of a path wins; see
    ``containerregistry.mutate.extract``). An image of a single layer whose media
    type is not a layer type (an artifact) is written as its raw blob instead.
    Every layer is read to its end, so its digest is verified. ``out`` is not closed.
    """
    from containerregistry import mutate, types

    layers = image.layers()
    if len(layers) == 1 and not types.is_layer(layers[0].media_type()):
        with layers[0].compressed() as blob:
            shutil.copyfileobj(blob, out, _CHUNK)
        return
    mutate.extract_to(image, out)
