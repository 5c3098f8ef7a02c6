"""The empty image that ``rebase`` and ``time`` build on (ggcr's ``empty.Image``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.mutate._errors import MutateError
from containerregistry.static import Layer as StaticLayer
from containerregistry.v1 import ConfigFile, Descriptor, Hash, Manifest

if TYPE_CHECKING:
    from containerregistry.v1 import Layer


class EmptyImage:
    """A Docker schema 2 image with no layers and the 115-byte empty config."""

    def __init__(self) -> None:
        self._config = ConfigFile().to_json()
        self._manifest = Manifest(
            media_type=types.DOCKER_MANIFEST_SCHEMA2,
            config=Descriptor(
                media_type=types.DOCKER_CONFIG_JSON,
                size=len(self._config),
                digest=Hash.of(self._config),
            ),
            layers=(),
        )
        self._raw_manifest = self._manifest.to_json()

    def layers(self) -> list[Layer]:
        return []

    def media_type(self) -> str:
        return types.DOCKER_MANIFEST_SCHEMA2

    def size(self) -> int:
        return len(self._raw_manifest)

    def config_name(self) -> Hash:
        return self._manifest.config.digest

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self._config)

    def raw_config_file(self) -> bytes:
        return self._config

    def digest(self) -> Hash:
        return Hash.of(self._raw_manifest)

    def manifest(self) -> Manifest:
        return self._manifest

    def raw_manifest(self) -> bytes:
        return self._raw_manifest

    def layer_by_digest(self, digest: Hash) -> Layer:
        if digest == self.config_name():
            return StaticLayer(self._config, types.DOCKER_CONFIG_JSON)
        raise MutateError(f"blob {digest} is not in the empty image: it has no layers")

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        raise MutateError(f"diff ID {diff_id} is not in the empty image: it has no layers")


def empty_image() -> EmptyImage:
    """Return the empty image: the base ``rebase`` and ``time`` append onto."""
    return EmptyImage()


if TYPE_CHECKING:
    from containerregistry.v1 import Image

    def _satisfies_image_protocol(image: EmptyImage) -> Image:
        return image
