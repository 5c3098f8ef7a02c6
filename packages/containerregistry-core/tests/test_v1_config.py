"""ConfigFile and its parts: Go-compatible JSON both ways, platform()."""

from __future__ import annotations

import hashlib

import pytest

from containerregistry.v1 import (
    Config,
    ConfigFile,
    ConfigParseError,
    Hash,
    HealthConfig,
    History,
    Platform,
    RootFS,
    Time,
)

EMPTY_CONFIG = (
    b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"",'
    b'"rootfs":{"type":"layers","diff_ids":null},"config":{}}'
)
#: The diff ID of an empty tar (two 512-byte zero blocks).
EMPTY_TAR_DIFF_ID = Hash.of(b"\0" * 1024)

#: A config as crane writes it after a mutation: every field in ggcr's order.
FULL_CONFIG = (
    b'{"architecture":"arm64","author":"A \\u003ca@example.com\\u003e","container":"c0ffee",'
    b'"created":"2024-05-06T07:08:09.123456789+02:00","docker_version":"24.0.7",'
    b'"history":[{"author":"me","created":"2024-05-06T07:08:09Z","created_by":'
    b'"/bin/sh -c #(nop) ADD file:abc in / ","comment":"buildkit.dockerfile.v0",'
    b'"empty_layer":true},{"created":"0001-01-01T00:00:00Z"}],"os":"linux",'
    b'"rootfs":{"type":"layers","diff_ids":["sha256:'
    + b"a" * 64
    + b'","sha256:'
    + b"b" * 64
    + b'"]},"config":{"AttachStderr":true,"AttachStdin":true,"AttachStdout":true,'
    b'"Cmd":["sh","-c","echo \\u003chi\\u003e \\u0026\\u0026 true"],'
    b'"Healthcheck":{"Test":["CMD-SHELL","curl -f http://localhost/"],'
    b'"Interval":30000000000,"Timeout":5000000000,"StartPeriod":1000000000,'
    b'"StartInterval":2000000000,"Retries":3},"Domainname":"example.com",'
    b'"Entrypoint":["/entry"],"Env":["PATH=/usr/bin","LANG=C.UTF-8","E=\xc3\xa9\\u2028"],'
    b'"Hostname":"h","Image":"sha256:' + b"c" * 64 + b'","Labels":{"a.b":"1",'
    b'"org.opencontainers.image.source":"https://x/y","z":""},"OnBuild":["RUN true"],'
    b'"OpenStdin":true,"StdinOnce":true,"Tty":true,"User":"1000:1000",'
    b'"Volumes":{"/data":{},"/var/lib":{}},"WorkingDir":"/app",'
    b'"ExposedPorts":{"443/tcp":{},"53/udp":{},"80/tcp":{}},"ArgsEscaped":true,'
    b'"NetworkDisabled":true,"MacAddress":"02:42:ac:11:00:02","StopSignal":"SIGTERM",'
    b'"Shell":["/bin/bash","-c"]},"os.version":"10.0","variant":"v8",'
    b'"os.features":["win32k"]}'
)


def test_empty_config_vector() -> None:
    data = ConfigFile().to_json()
    assert data == EMPTY_CONFIG
    assert len(data) == 115
    assert hashlib.sha256(data).hexdigest().startswith("5b943e2b")


def test_crane_image_of_empty_filemap_config_vector() -> None:
    # reference section 6 item 1: mutate.Append of one layer without history.
    assert str(EMPTY_TAR_DIFF_ID).startswith("sha256:5f70bf18")
    config = ConfigFile(history=[History()], rootfs=RootFS(diff_ids=[EMPTY_TAR_DIFF_ID]))
    assert config.to_json() == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","history":'
        b'[{"created":"0001-01-01T00:00:00Z"}],"os":"","rootfs":{"type":"layers",'
        b'"diff_ids":["' + str(EMPTY_TAR_DIFF_ID).encode() + b'"]},"config":{}}'
    )


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(EMPTY_CONFIG, id="empty"),
        pytest.param(FULL_CONFIG, id="every-field"),
        pytest.param(
            b'{"architecture":"amd64","created":"2020-01-01T00:00:00Z","os":"linux",'
            b'"rootfs":{"type":"layers","diff_ids":[]},"config":{"Healthcheck":{}}}',
            id="empty-diff-ids-and-healthcheck",
        ),
    ],
)
def test_config_round_trips_go_bytes(document: bytes) -> None:
    assert ConfigFile.from_json(document).to_json() == document


def test_full_config_fields() -> None:
    config = ConfigFile.from_json(FULL_CONFIG)
    assert config.created == Time.parse("2024-05-06T07:08:09.123456789+02:00")
    assert config.history[0].empty_layer is True
    assert config.rootfs.diff_ids == (
        Hash.parse("sha256:" + "a" * 64),
        Hash.parse("sha256:" + "b" * 64),
    )
    assert config.config.exposed_ports == frozenset({"80/tcp", "443/tcp", "53/udp"})
    assert config.config.healthcheck == HealthConfig(
        test=("CMD-SHELL", "curl -f http://localhost/"),
        interval=30_000_000_000,
        timeout=5_000_000_000,
        start_period=1_000_000_000,
        start_interval=2_000_000_000,
        retries=3,
    )
    assert config.config.env[2] == "E=é\u2028"
    assert config.config.labels["z"] == ""


def test_docker_produced_config_is_reordered_and_unknown_fields_dropped() -> None:
    # Docker writes its own field order and fields ggcr does not know.
    docker = (
        b'{"architecture":"amd64","config":{"Env":["PATH=/bin"],"Cmd":["sh"],'
        b'"ExposedPorts":{"80/tcp":{}},"Labels":null,"OnBuild":null},'
        b'"container_config":{"Cmd":["x"]},"created":"2023-01-02T03:04:05.678Z",'
        b'"moby.buildkit.buildinfo.v1":"e30=","os":"linux","rootfs":{"type":"layers",'
        b'"diff_ids":["sha256:' + b"a" * 64 + b'"]},"history":[{"created":'
        b'"2023-01-02T03:04:05.678Z","created_by":"ADD x"}]}'
    )
    assert ConfigFile.from_json(docker).to_json() == (
        b'{"architecture":"amd64","created":"2023-01-02T03:04:05.678Z","history":'
        b'[{"created":"2023-01-02T03:04:05.678Z","created_by":"ADD x"}],"os":"linux",'
        b'"rootfs":{"type":"layers","diff_ids":["sha256:' + b"a" * 64 + b'"]},'
        b'"config":{"Cmd":["sh"],"Env":["PATH=/bin"],"ExposedPorts":{"80/tcp":{}}}}'
    )


def test_missing_rootfs_and_config_keep_go_zero_values() -> None:
    config = ConfigFile.from_json(b'{"os":"linux"}')
    assert config.to_json() == (
        b'{"architecture":"","created":"0001-01-01T00:00:00Z","os":"linux",'
        b'"rootfs":{"type":"","diff_ids":null},"config":{}}'
    )


def test_constructor_coerces_lists_and_sets() -> None:
    built = Config(cmd=["a"], exposed_ports={"80/tcp"}, volumes={"/v"}, labels={"k": "v"})
    assert built == Config(
        cmd=("a",),
        exposed_ports=frozenset({"80/tcp"}),
        volumes=frozenset({"/v"}),
        labels={"k": "v"},
    )
    assert built.to_json() == (
        b'{"Cmd":["a"],"Labels":{"k":"v"},"Volumes":{"/v":{}},"ExposedPorts":{"80/tcp":{}}}'
    )


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param(ConfigFile(), None, id="empty"),
        pytest.param(
            ConfigFile(os="linux", architecture="arm64", variant="v8"),
            Platform(os="linux", architecture="arm64", variant="v8"),
            id="linux-arm64",
        ),
        pytest.param(
            ConfigFile(os_features=("win32k",)), Platform(os_features=("win32k",)), id="features"
        ),
        pytest.param(
            ConfigFile(os="windows", os_version="10.0.1"),
            Platform(os="windows", os_version="10.0.1"),
            id="osversion",
        ),
    ],
)
def test_platform(config: ConfigFile, expected: Platform | None) -> None:
    assert config.platform() == expected


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(b'{"created":"yesterday"}', "field created: cannot parse time", id="time"),
        pytest.param(b'{"created":0}', "field created: want an RFC 3339", id="time-number"),
        pytest.param(b'{"history":{}}', "field history: want an array", id="history"),
        pytest.param(
            b'{"history":[{"empty_layer":"yes"}]}',
            "field history[0].empty_layer: want true or false",
            id="bool",
        ),
        pytest.param(
            b'{"rootfs":{"diff_ids":["sha256:xyz"]}}',
            "field rootfs.diff_ids[0]: invalid sha256",
            id="diff-id",
        ),
        pytest.param(
            b'{"rootfs":{"diff_ids":[null]}}', "field rootfs.diff_ids[0]: missing", id="null-hash"
        ),
        pytest.param(
            b'{"config":{"ExposedPorts":{"80/tcp":1}}}',
            "field config.ExposedPorts['80/tcp']: want {}",
            id="port-value",
        ),
        pytest.param(
            b'{"config":{"Healthcheck":{"Interval":"30s"}}}',
            "field config.Healthcheck.Interval: want an integer",
            id="duration-string",
        ),
        pytest.param(b'{"config":[]}', "field config: want a JSON object", id="config-array"),
        pytest.param(b'{"config":{"Env":"A=B"}}', "field config.Env: want an array", id="env"),
    ],
)
def test_config_parse_errors_name_the_field(document: bytes, message: str) -> None:
    with pytest.raises(ConfigParseError) as info:
        ConfigFile.from_json(document)
    assert str(info.value).startswith("cannot parse image config:")
    assert message in str(info.value)


def test_null_everywhere_gives_zero_values() -> None:
    parsed = ConfigFile.from_json(
        b'{"architecture":null,"created":null,"history":null,"rootfs":null,"config":'
        b'{"Cmd":null,"Healthcheck":null,"Labels":null,"ExposedPorts":null,"Env":["a",null]}}'
    )
    assert parsed.created.is_zero()
    assert parsed.history == ()
    assert parsed.config == Config(env=("a", ""))


@pytest.mark.parametrize(
    ("part", "json"),
    [
        pytest.param(History(), b'{"created":"0001-01-01T00:00:00Z"}', id="history"),
        pytest.param(RootFS(), b'{"type":"layers","diff_ids":null}', id="rootfs"),
        pytest.param(RootFS(diff_ids=()), b'{"type":"layers","diff_ids":[]}', id="rootfs-empty"),
        pytest.param(HealthConfig(), b"{}", id="health"),
        pytest.param(HealthConfig(test=["NONE"]), b'{"Test":["NONE"]}', id="health-none"),
        pytest.param(Config(), b"{}", id="config"),
    ],
)
def test_parts_round_trip(part: History | RootFS | HealthConfig | Config, json: bytes) -> None:
    assert part.to_json() == json
    assert type(part).from_json(json) == part
