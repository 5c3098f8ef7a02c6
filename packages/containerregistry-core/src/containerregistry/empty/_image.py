"""The empty image."""

from __future__ import annotations

from typing import NoReturn

from containerregistry import types
from containerregistry.partial import (
    BlobNotFoundError,
    UncompressedLayerCore,
    uncompressed_to_image,
)
from containerregistry.v1 import ConfigFile, Hash, Image


class _EmptyImageCore:
    """No layers, and the config every field of which is empty."""

    def raw_config_file(self) -> bytes:
        return ConfigFile().to_json()

    def media_type(self) -> str:
        return types.DOCKER_MANIFEST_SCHEMA2

    def layer_by_diff_id(self, diff_id: Hash) -> UncompressedLayerCore:
        _no_such_layer(diff_id)


def _no_such_layer(diff_id: Hash) -> NoReturn:
    raise BlobNotFoundError(f"the empty image has no layers; there is no layer {diff_id}")


#: An image with no layers: a Docker v2 manifest and the 115-byte empty config
#: (``sha256:5b943e2b…``). Append layers to it to build an image from scratch.
image: Image = uncompressed_to_image(_EmptyImageCore())
