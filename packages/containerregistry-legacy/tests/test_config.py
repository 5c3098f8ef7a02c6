"""LayerConfigFile: the bytes of a layer's ``json`` file."""

from __future__ import annotations

import pytest

from containerregistry.legacy import LayerConfigFile
from containerregistry.v1 import Config, ConfigFile, History, RootFS, Time

CREATED = Time.parse("2024-01-02T03:04:05Z")


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param(
            LayerConfigFile(),
            b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"",'
            b'"rootfs":{"type":"layers","diff_ids":null},"config":{},"container_config":{}}',
            id="zero",
        ),
        pytest.param(
            LayerConfigFile(
                config_file=ConfigFile(created=CREATED, author="me <a@b>", rootfs=RootFS(type="")),
                container_config=Config(cmd=("/bin/sh -c echo hi",)),
                id="a" * 64,
                parent="b" * 64,
                throwaway=True,
                comment="step one",
            ),
            b'{"architecture":"","author":"me \\u003ca@b\\u003e","created":"2024-01-02T03:04:05Z",'
            b'"os":"","rootfs":{"type":"","diff_ids":null},"config":{},'
            b'"container_config":{"Cmd":["/bin/sh -c echo hi"]},'
            b'"id":"' + b"a" * 64 + b'","parent":"' + b"b" * 64 + b'",'
            b'"throwaway":true,"comment":"step one"}',
            id="base-layer",
        ),
        pytest.param(
            LayerConfigFile(
                config_file=ConfigFile(
                    architecture="arm64",
                    container="c0ffee",
                    created=CREATED,
                    docker_version="20.10",
                    os="linux",
                    rootfs=RootFS(type=""),
                    config=Config(env=("PATH=/bin",), cmd=("sh",)),
                ),
                container_config=Config(cmd=("",)),
                id="c" * 64,
            ),
            b'{"architecture":"arm64","container":"c0ffee","created":"2024-01-02T03:04:05Z",'
            b'"docker_version":"20.10","os":"linux","rootfs":{"type":"","diff_ids":null},'
            b'"config":{"Cmd":["sh"],"Env":["PATH=/bin"]},"container_config":{"Cmd":[""]},'
            b'"id":"' + b"c" * 64 + b'"}',
            id="top-layer",
        ),
        pytest.param(
            LayerConfigFile(
                config_file=ConfigFile(
                    history=(History(created_by="x"),),
                    os_version="10.0",
                    variant="v8",
                    os_features=("win32k",),
                )
            ),
            b'{"architecture":"","created":"0001-01-01T00:00:00Z",'
            b'"history":[{"created":"0001-01-01T00:00:00Z","created_by":"x"}],"os":"",'
            b'"rootfs":{"type":"layers","diff_ids":null},"config":{},"os.version":"10.0",'
            b'"variant":"v8","os.features":["win32k"],"container_config":{}}',
            id="every-config-field",
        ),
    ],
)
def test_layer_config_json(value: LayerConfigFile, want: bytes) -> None:
    assert value.to_json() == want
