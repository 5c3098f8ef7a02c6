"""The media types of OCI and Docker images, and what kind of content each names."""

from __future__ import annotations

OCI_CONTENT_DESCRIPTOR = "application/vnd.oci.descriptor.v1+json"
OCI_IMAGE_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST_SCHEMA1 = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG_JSON = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd"
OCI_RESTRICTED_LAYER = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
OCI_UNCOMPRESSED_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_UNCOMPRESSED_RESTRICTED_LAYER = "application/vnd.oci.image.layer.nondistributable.v1.tar"

DOCKER_MANIFEST_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json"
DOCKER_MANIFEST_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws"
DOCKER_MANIFEST_SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
DOCKER_CONFIG_JSON = "application/vnd.docker.container.image.v1+json"
DOCKER_PLUGIN_CONFIG = "application/vnd.docker.plugin.v1+json"
DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
DOCKER_UNCOMPRESSED_LAYER = "application/vnd.docker.image.rootfs.diff.tar"

OCI_VENDOR_PREFIX = "vnd.oci"
DOCKER_VENDOR_PREFIX = "vnd.docker"

#: Layers that registries may refuse to store and that writers skip by default.
_NON_DISTRIBUTABLE = frozenset(
    {DOCKER_FOREIGN_LAYER, OCI_RESTRICTED_LAYER, OCI_UNCOMPRESSED_RESTRICTED_LAYER}
)
_IMAGES = frozenset({OCI_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA2})
_INDEXES = frozenset({OCI_IMAGE_INDEX, DOCKER_MANIFEST_LIST})
_CONFIGS = frozenset({OCI_CONFIG_JSON, DOCKER_CONFIG_JSON})
_SCHEMA1 = frozenset({DOCKER_MANIFEST_SCHEMA1, DOCKER_MANIFEST_SCHEMA1_SIGNED})
_LAYERS = frozenset(
    {
        DOCKER_LAYER,
        DOCKER_UNCOMPRESSED_LAYER,
        OCI_LAYER,
        OCI_LAYER_ZSTD,
        OCI_UNCOMPRESSED_LAYER,
        DOCKER_FOREIGN_LAYER,
        OCI_RESTRICTED_LAYER,
        OCI_UNCOMPRESSED_RESTRICTED_LAYER,
    }
)


def is_distributable(media_type: str) -> bool:
    """Return False for foreign and non-distributable (restricted) layers, True otherwise."""
    return media_type not in _NON_DISTRIBUTABLE


def is_image(media_type: str) -> bool:
    """Return whether ``media_type`` is an OCI or Docker v2 image manifest."""
    return media_type in _IMAGES


def is_index(media_type: str) -> bool:
    """Return whether ``media_type`` is an OCI image index or a Docker manifest list."""
    return media_type in _INDEXES


def is_config(media_type: str) -> bool:
    """Return whether ``media_type`` is an OCI or Docker image config."""
    return media_type in _CONFIGS


def is_schema1(media_type: str) -> bool:
    """Return whether ``media_type`` is a Docker schema 1 manifest (signed or not)."""
    return media_type in _SCHEMA1


def is_layer(media_type: str) -> bool:
    """Return whether ``media_type`` is one of the OCI or Docker layer types.

    The zstd variant of the Docker layer type is not included, as in ggcr.
    """
    return media_type in _LAYERS
