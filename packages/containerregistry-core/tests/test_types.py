"""Media type constants and the predicates over them."""

from __future__ import annotations

import pytest

from containerregistry import types

ALL = {
    name: getattr(types, name)
    for name in types.__all__
    if name.isupper() and not name.endswith("_PREFIX")
}


def test_constants_are_the_registry_strings() -> None:
    assert types.OCI_MANIFEST_SCHEMA1 == "application/vnd.oci.image.manifest.v1+json"
    assert types.DOCKER_MANIFEST_SCHEMA2 == ("application/vnd.docker.distribution.manifest.v2+json")
    assert types.OCI_LAYER_ZSTD == "application/vnd.oci.image.layer.v1.tar+zstd"
    assert types.DOCKER_FOREIGN_LAYER == (
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
    )
    assert len(ALL) == 18
    assert len(set(ALL.values())) == 18


def test_all_is_sorted() -> None:
    assert types.__all__ == sorted(types.__all__)


EXPECTED = {
    # name: (distributable, image, index, config, schema1, layer)
    "OCI_CONTENT_DESCRIPTOR": (True, False, False, False, False, False),
    "OCI_IMAGE_INDEX": (True, False, True, False, False, False),
    "OCI_MANIFEST_SCHEMA1": (True, True, False, False, False, False),
    "OCI_CONFIG_JSON": (True, False, False, True, False, False),
    "OCI_LAYER": (True, False, False, False, False, True),
    "OCI_LAYER_ZSTD": (True, False, False, False, False, True),
    "OCI_RESTRICTED_LAYER": (False, False, False, False, False, True),
    "OCI_UNCOMPRESSED_LAYER": (True, False, False, False, False, True),
    "OCI_UNCOMPRESSED_RESTRICTED_LAYER": (False, False, False, False, False, True),
    "DOCKER_MANIFEST_SCHEMA1": (True, False, False, False, True, False),
    "DOCKER_MANIFEST_SCHEMA1_SIGNED": (True, False, False, False, True, False),
    "DOCKER_MANIFEST_SCHEMA2": (True, True, False, False, False, False),
    "DOCKER_MANIFEST_LIST": (True, False, True, False, False, False),
    "DOCKER_LAYER": (True, False, False, False, False, True),
    "DOCKER_CONFIG_JSON": (True, False, False, True, False, False),
    "DOCKER_PLUGIN_CONFIG": (True, False, False, False, False, False),
    "DOCKER_FOREIGN_LAYER": (False, False, False, False, False, True),
    "DOCKER_UNCOMPRESSED_LAYER": (True, False, False, False, False, True),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_predicates(name: str) -> None:
    media_type = ALL[name]
    got = (
        types.is_distributable(media_type),
        types.is_image(media_type),
        types.is_index(media_type),
        types.is_config(media_type),
        types.is_schema1(media_type),
        types.is_layer(media_type),
    )
    assert got == EXPECTED[name]


def test_unknown_media_type() -> None:
    unknown = "application/vnd.example+json"
    assert types.is_distributable(unknown)
    assert not any(
        check(unknown)
        for check in (types.is_image, types.is_index, types.is_config, types.is_layer)
    )
