"""append / append_layers: config and manifest bytes, media types, laziness."""

from __future__ import annotations

import json
from typing import Any

import pytest

from containerregistry import empty, mutate, random, static, types
from containerregistry.v1 import ConfigFile, Hash, History, Time

EMPTY_TAR = bytes(1024)
EMPTY_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
VECTOR_CONFIG = (
    b'{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{"created":'
    b'"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers","diff_ids":['
    b'"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]},"config":{}}'
)


def test_empty_tar_on_empty_image_gives_cranes_config() -> None:
    layer = static.Layer(EMPTY_TAR, types.DOCKER_LAYER)
    image = mutate.append_layers(empty.image, layer)
    assert str(layer.diff_id()) == EMPTY_DIFF_ID
    assert image.raw_config_file() == VECTOR_CONFIG
    assert image.config_name() == Hash.of(VECTOR_CONFIG)
    manifest = json.loads(image.raw_manifest())
    assert manifest["config"] == {
        "mediaType": types.DOCKER_CONFIG_JSON,
        "size": len(VECTOR_CONFIG),
        "digest": str(Hash.of(VECTOR_CONFIG)),
    }
    assert manifest["layers"] == [
        {"mediaType": types.DOCKER_LAYER, "size": 1024, "digest": EMPTY_DIFF_ID}
    ]
    assert image.digest() == Hash.of(image.raw_manifest())
    assert image.size() == len(image.raw_manifest())


def test_manifest_bytes_are_go_json() -> None:
    layer = static.Layer(EMPTY_TAR, types.DOCKER_LAYER)
    image = mutate.append_layers(empty.image, layer)
    config_digest = Hash.of(VECTOR_CONFIG)
    assert image.raw_manifest() == (
        b'{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":233,'
        b'"digest":"' + str(config_digest).encode() + b'"},"layers":[{"mediaType":'
        b'"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1024,"digest":"'
        + EMPTY_DIFF_ID.encode()
        + b'"}]}'
    )


def test_no_addenda_returns_base() -> None:
    assert mutate.append(empty.image) is empty.image


def test_each_addendum_adds_one_history_entry_and_diff_id(kit: Any) -> None:
    first = kit.GzipLayer(kit.build_tar([("file", "a", b"a")]))
    second = kit.GzipLayer(kit.build_tar([("file", "b", b"b")]))
    image = mutate.append(
        empty.image,
        mutate.Addendum(first, history=History(created_by="ADD a", author="me")),
        mutate.Addendum(None, history=History(created_by="ENV x=1", empty_layer=True)),
        mutate.Addendum(second),
    )
    config = json.loads(image.raw_config_file())
    assert config["history"] == [
        {"author": "me", "created": "0001-01-01T00:00:00Z", "created_by": "ADD a"},
        {"created": "0001-01-01T00:00:00Z", "created_by": "ENV x=1", "empty_layer": True},
        {"created": "0001-01-01T00:00:00Z"},
    ]
    assert config["rootfs"]["diff_ids"] == [str(first.diff_id()), str(second.diff_id())]
    assert [d.digest for d in image.manifest().layers or ()] == [first.digest(), second.digest()]
    assert image.layers() == [first, second]
    assert image.layer_by_digest(second.digest()) is second
    assert image.layer_by_diff_id(first.diff_id()) is first
    config_blob = image.layer_by_digest(image.config_name())
    assert config_blob.compressed().read() == image.raw_config_file()


def test_addendum_without_layer_or_empty_history_is_refused() -> None:
    with pytest.raises(mutate.MutateError, match="addendum 0 has no layer"):
        mutate.append(empty.image, mutate.Addendum(None))


def test_addendum_fields_override_descriptor(kit: Any) -> None:
    layer = kit.GzipLayer(kit.build_tar([("file", "a", b"a")]))
    image = mutate.append(
        empty.image,
        mutate.Addendum(
            layer,
            urls=["https://example.com/blob"],
            annotations={"b": "2", "a": "1"},
            media_type=types.DOCKER_FOREIGN_LAYER,
        ),
    )
    raw = json.loads(image.raw_manifest())["layers"][0]
    assert raw == {
        "mediaType": types.DOCKER_FOREIGN_LAYER,
        "size": layer.size(),
        "digest": str(layer.digest()),
        "urls": ["https://example.com/blob"],
        "annotations": {"a": "1", "b": "2"},
    }
    assert b'"annotations":{"a":"1","b":"2"}' in image.raw_manifest()


OCI_BASE = mutate.media_type(
    mutate.config_media_type(empty.image, types.OCI_CONFIG_JSON), types.OCI_MANIFEST_SCHEMA1
)


@pytest.mark.parametrize(
    ("base", "layer_type", "follow", "want"),
    [
        pytest.param(
            empty.image, types.DOCKER_LAYER, True, types.DOCKER_LAYER, id="docker-on-docker"
        ),
        pytest.param(empty.image, types.OCI_LAYER, True, types.DOCKER_LAYER, id="oci-on-docker"),
        pytest.param(OCI_BASE, types.DOCKER_LAYER, True, types.OCI_LAYER, id="docker-on-oci"),
        pytest.param(
            empty.image, types.OCI_LAYER_ZSTD, True, types.OCI_LAYER_ZSTD, id="zstd-on-docker"
        ),
        pytest.param(OCI_BASE, types.OCI_LAYER_ZSTD, True, types.OCI_LAYER_ZSTD, id="zstd-on-oci"),
        pytest.param(
            OCI_BASE,
            types.OCI_UNCOMPRESSED_LAYER,
            True,
            types.OCI_UNCOMPRESSED_LAYER,
            id="raw-kept",
        ),
        pytest.param(OCI_BASE, types.DOCKER_LAYER, False, types.DOCKER_LAYER, id="ggcr-keeps-own"),
    ],
)
def test_layer_media_type(base: object, layer_type: str, follow: bool, want: str, kit: Any) -> None:
    layer = kit.GzipLayer(EMPTY_TAR, layer_type)
    image = mutate.append_layers(base, layer, follow_base=follow)  # type: ignore[arg-type]
    assert (image.manifest().layers or ())[-1].media_type == want


def test_oci_empty_base_config_is_the_same_115_bytes() -> None:
    assert OCI_BASE.raw_config_file() == ConfigFile().to_json()
    assert len(OCI_BASE.raw_config_file()) == 115
    assert OCI_BASE.manifest().config.media_type == types.OCI_CONFIG_JSON
    assert OCI_BASE.media_type() == types.OCI_MANIFEST_SCHEMA1


def test_append_keeps_created_and_unknown_fields_are_dropped() -> None:
    raw = (
        b'{"architecture":"amd64","created":"2020-01-02T03:04:05.5Z","os":"linux",'
        b'"rootfs":{"type":"layers","diff_ids":[]},"config":{"Env":["A=1"]},"unknown":1}'
    )
    base = _RawConfigImage(raw, types.DOCKER_CONFIG_JSON)
    image = mutate.append_layers(base, static.Layer(EMPTY_TAR, types.DOCKER_LAYER))
    assert image.raw_config_file() == (
        b'{"architecture":"amd64","created":"2020-01-02T03:04:05.5Z","history":[{"created":'
        b'"0001-01-01T00:00:00Z"}],"os":"linux","rootfs":{"type":"layers","diff_ids":["'
        + EMPTY_DIFF_ID.encode()
        + b'"]},"config":{"Env":["A=1"]}}'
    )


def test_artifact_config_is_kept_byte_for_byte() -> None:
    raw = b'{ "whatever": [1, 2, 3] }\n'
    base = _RawConfigImage(raw, "application/vnd.example.config+json")
    layer = static.Layer(b"payload", "application/octet-stream")
    image = mutate.append_layers(base, layer)
    assert image.raw_config_file() == raw
    assert image.manifest().config == base.manifest().config
    assert [d.digest for d in image.manifest().layers or ()] == [layer.digest()]
    assert image.layer_by_diff_id(layer.diff_id()) is layer


def test_lazy_and_memoized() -> None:
    base = _CountingImage(empty.image)
    layer = static.Layer(EMPTY_TAR, types.DOCKER_LAYER)
    image = mutate.append_layers(base, layer)
    assert base.calls == 0
    first = image.raw_manifest()
    calls = base.calls
    assert image.raw_manifest() == first
    image.digest(), image.raw_config_file(), image.config_file(), image.size()
    assert base.calls == calls


def test_random_image_appends_on_top(kit: Any) -> None:
    base = random.image(64, 2, seed=7)
    layer = kit.GzipLayer(kit.build_tar([("file", "top", b"top")]))
    image = mutate.append_layers(base, layer)
    assert len(image.layers()) == 3
    assert image.config_file().rootfs.diff_ids == (
        *base.config_file().rootfs.diff_ids,
        layer.diff_id(),
    )
    assert len(image.config_file().history) == len(base.config_file().history) + 1
    assert image.config_file().created == base.config_file().created


def test_created_untouched_by_append_with_time() -> None:
    base = mutate.created_at(empty.image, Time.parse("2021-05-06T07:08:09Z"))
    image = mutate.append_layers(base, static.Layer(EMPTY_TAR, types.DOCKER_LAYER))
    assert json.loads(image.raw_config_file())["created"] == "2021-05-06T07:08:09Z"


class _CountingImage:
    def __init__(self, base: object) -> None:
        self._base = base
        self.calls = 0

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self._base, name)
        if not callable(attribute):
            return attribute

        def counted(*args: object) -> object:
            self.calls += 1
            return attribute(*args)

        return counted


class _RawConfigImage:
    """An image with a given raw config and no layers (Docker manifest)."""

    def __init__(self, raw: bytes, config_type: str) -> None:
        from containerregistry.v1 import Descriptor, Manifest

        self._raw = raw
        self._manifest = Manifest(
            media_type=types.OCI_MANIFEST_SCHEMA1,
            config=Descriptor(media_type=config_type, size=len(raw), digest=Hash.of(raw)),
            layers=(),
        )

    def layers(self) -> list[object]:
        return []

    def media_type(self) -> str:
        return self._manifest.media_type

    def manifest(self) -> object:
        return self._manifest

    def raw_manifest(self) -> bytes:
        return self._manifest.to_json()

    def digest(self) -> Hash:
        return Hash.of(self.raw_manifest())

    def size(self) -> int:
        return len(self.raw_manifest())

    def raw_config_file(self) -> bytes:
        return self._raw

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self._raw)

    def config_name(self) -> Hash:
        return Hash.of(self._raw)

    def layer_by_digest(self, digest: Hash) -> object:
        raise KeyError(digest)

    def layer_by_diff_id(self, diff_id: Hash) -> object:
        raise KeyError(diff_id)
