"""config, config_file, created_at, annotations, subject and media types on images."""

from __future__ import annotations

import json

import pytest

from containerregistry import empty, mutate, types
from containerregistry.v1 import Config, ConfigFile, Descriptor, Hash, Time

EMPTY_CONFIG = ConfigFile().to_json()


@pytest.mark.parametrize(
    ("make", "want_config"),
    [
        pytest.param(
            lambda: mutate.config(empty.image, Config(env=("A=1",), cmd=("sh",))),
            b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers",'
            b'"diff_ids":null},"config":{"Cmd":["sh"],"Env":["A=1"]}}',
            id="config",
        ),
        pytest.param(
            lambda: mutate.created_at(empty.image, Time.parse("2024-02-03T04:05:06.789Z")),
            b'{"architecture":"","created":"2024-02-03T04:05:06.789Z","os":"","rootfs":'
            b'{"type":"layers","diff_ids":null},"config":{}}',
            id="created-at",
        ),
        pytest.param(
            lambda: mutate.config_file(empty.image, ConfigFile(architecture="arm64", os="linux")),
            b'{"architecture":"arm64","created":"0001-01-01T00:00:00Z","os":"linux","rootfs":'
            b'{"type":"layers","diff_ids":null},"config":{}}',
            id="config-file",
        ),
        pytest.param(
            lambda: mutate.annotations(empty.image, {"a": "1"}),
            EMPTY_CONFIG,
            id="annotations-keep-config",
        ),
    ],
)
def test_config_bytes_and_descriptor(make: object, want_config: bytes) -> None:
    image = make()  # type: ignore[operator]
    assert image.raw_config_file() == want_config
    config = image.manifest().config
    assert config.digest == Hash.of(want_config)
    assert config.size == len(want_config)
    assert image.config_name() == Hash.of(want_config)
    assert image.config_file() == ConfigFile.from_json(want_config)


def test_annotations_merge_into_manifest() -> None:
    image = mutate.annotations(empty.image, {"z": "1", "a": "2"})
    image = mutate.annotations(image, {"a": "3"})
    assert image.manifest().annotations == {"a": "3", "z": "1"}
    assert image.raw_manifest().endswith(b'"layers":[],"annotations":{"a":"3","z":"1"}}')


def test_raw_manifest_annotations() -> None:
    class Raw:
        def raw_manifest(self) -> bytes:
            return b'{"schemaVersion":2,"zeta":true,"annotations":{"x":"y"}}'

    wrapped = mutate.annotations(Raw(), {"a": "b"})
    assert wrapped.raw_manifest() == (
        b'{"annotations":{"a":"b","x":"y"},"schemaVersion":2,"zeta":true}'
    )


def test_subject_and_media_types() -> None:
    subject = Descriptor(media_type=types.OCI_MANIFEST_SCHEMA1, size=3, digest=Hash.of(b"abc"))
    image = mutate.subject(empty.image, subject)
    image = mutate.media_type(image, types.OCI_MANIFEST_SCHEMA1)
    image = mutate.config_media_type(image, types.OCI_CONFIG_JSON)
    manifest = json.loads(image.raw_manifest())
    assert manifest["mediaType"] == types.OCI_MANIFEST_SCHEMA1
    assert manifest["config"]["mediaType"] == types.OCI_CONFIG_JSON
    assert manifest["subject"]["digest"] == str(Hash.of(b"abc"))
    assert image.media_type() == types.OCI_MANIFEST_SCHEMA1
    assert list(manifest) == ["schemaVersion", "mediaType", "config", "layers", "subject"]
    removed = mutate.subject(image, None)
    assert "subject" not in json.loads(removed.raw_manifest())


def test_embedded_config_data_is_refreshed() -> None:
    base = mutate.MutatedImage(empty.image)
    manifest = base.manifest()
    import dataclasses

    class Embedded:
        def __getattr__(self, name: str) -> object:
            return getattr(empty.image, name)

        def manifest(self) -> object:
            return dataclasses.replace(
                manifest, config=dataclasses.replace(manifest.config, data=EMPTY_CONFIG)
            )

    image = mutate.config(Embedded(), Config(user="nobody"))  # type: ignore[arg-type]
    assert image.manifest().config.data == image.raw_config_file()
    assert b'"User":"nobody"' in image.manifest().config.data


def test_wrong_target_is_an_error() -> None:
    with pytest.raises(mutate.MutateError, match="cannot set the media type of a int"):
        mutate.media_type(3, types.OCI_MANIFEST_SCHEMA1)
