"""empty.image and empty.index: exact bytes and digests."""

from __future__ import annotations

import pytest

from containerregistry import empty, types, validate
from containerregistry.partial import BlobNotFoundError
from containerregistry.v1 import Hash, Image, ImageIndex


def test_empty_image() -> None:
    assert isinstance(empty.image, Image)
    assert empty.image.raw_config_file() == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"",'
        b'"rootfs":{"type":"layers","diff_ids":null},"config":{}}'
    )
    assert str(empty.image.config_name()).startswith("sha256:5b943e2b")
    assert empty.image.media_type() == types.DOCKER_MANIFEST_SCHEMA2
    assert empty.image.raw_manifest() == (
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":115,'
        b'"digest":"sha256:5b943e2b943f6c81dbbd4e2eca5121f4fcc39139e3d1219d6d89bd925b77d9fe"},'
        b'"layers":[]}'
    )
    assert str(empty.image.digest()).startswith("sha256:73211227")
    assert empty.image.layers() == []
    validate.image(empty.image)


def test_empty_image_has_no_layer() -> None:
    with pytest.raises(BlobNotFoundError):
        empty.image.layer_by_diff_id(Hash.of(b""))


def test_empty_index() -> None:
    assert isinstance(empty.index, ImageIndex)
    assert empty.index.raw_manifest() == (
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
    )
    assert str(empty.index.digest()).startswith("sha256:dff9de10")
    assert empty.index.media_type() == types.OCI_IMAGE_INDEX
    assert empty.index.size() == 88
    validate.index(empty.index)
    with pytest.raises(BlobNotFoundError):
        empty.index.image(Hash.of(b""))
