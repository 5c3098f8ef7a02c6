"""The image config file (``ConfigFile``) and its parts, with Go-compatible JSON.

Field order and ``omitempty`` rules follow ggcr's structs, so that re-serializing a
config gives the same bytes, and digest, as crane.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from containerregistry.lazy import record
from containerregistry.v1._errors import ConfigParseError
from containerregistry.v1._hash import Hash
from containerregistry.v1._manifest import coerce_maps, coerce_optional_tuple, sorted_map
from containerregistry.v1._platform import Platform, coerce_tuples
from containerregistry.v1._time import Time, time_from_value

_ZERO_TIME = Time()


def _lookup(fields: Iterable[str]) -> tuple[frozenset[str], dict[str, str]]:
    names = tuple(fields)
    return frozenset(names), {name.lower(): name for name in names}


def _coerce_sets(instance: object, *names: str) -> None:
    for name in names:
        value: object = getattr(instance, name)
        if type(value) is frozenset:
            continue
        if value is None:
            value = frozenset()
        elif isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise TypeError(f"{name}: want a set of strings, got {type(value).__name__}")
        object.__setattr__(instance, name, frozenset(value))


@record(kw_only=True)
class HealthConfig:
    """The ``HEALTHCHECK`` of a container; durations are integer nanoseconds.

    Attributes (all default to empty or 0, which means "inherit"):
        test: ``()`` inherit, ``("NONE",)`` disable, ``("CMD", *args)`` or
            ``("CMD-SHELL", command)``.
        interval: nanoseconds between checks.
        timeout: nanoseconds before a check is considered hung.
        start_period: nanoseconds the container gets to start before failures count.
        start_interval: nanoseconds between checks during the start period.
        retries: consecutive failures before the container is unhealthy.
    """

    test: Sequence[str] = ()
    interval: int = 0
    timeout: int = 0
    start_period: int = 0
    start_interval: int = 0
    retries: int = 0

    def __post_init__(self) -> None:
        coerce_tuples(self, "test")

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        if self.test:
            tree["Test"] = list(self.test)
        if self.interval:
            tree["Interval"] = self.interval
        if self.timeout:
            tree["Timeout"] = self.timeout
        if self.start_period:
            tree["StartPeriod"] = self.start_period
        if self.start_interval:
            tree["StartInterval"] = self.start_interval
        if self.retries:
            tree["Retries"] = self.retries
        return tree

    def to_json(self) -> bytes:
        """Return the health check as Go's ``encoding/json`` writes it."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> HealthConfig:
        """Parse a ``Healthcheck`` object; raises :class:`ConfigParseError`."""
        from containerregistry.v1._decode import Reader

        reader = Reader("health check", ConfigParseError)
        return _health_from_object(reader.load(data), "", reader)


_HEALTH_LOOKUP = _lookup(("Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries"))


def _health_from_object(obj: dict[str, Any], path: str, reader: Any) -> HealthConfig:
    fields = reader.pick(obj, *_HEALTH_LOOKUP)
    prefix = f"{path}." if path else ""
    get = fields.get
    return HealthConfig(
        test=reader.strings(get("Test"), prefix + "Test") or (),
        interval=reader.int64(get("Interval"), prefix + "Interval"),
        timeout=reader.int64(get("Timeout"), prefix + "Timeout"),
        start_period=reader.int64(get("StartPeriod"), prefix + "StartPeriod"),
        start_interval=reader.int64(get("StartInterval"), prefix + "StartInterval"),
        retries=reader.int64(get("Retries"), prefix + "Retries"),
    )


#: (python attribute, JSON key, kind) of Config, in ggcr's field order. Every
#: field is omitempty.
_CONFIG_FIELDS = (
    ("attach_stderr", "AttachStderr", "bool"),
    ("attach_stdin", "AttachStdin", "bool"),
    ("attach_stdout", "AttachStdout", "bool"),
    ("cmd", "Cmd", "list"),
    ("healthcheck", "Healthcheck", "health"),
    ("domainname", "Domainname", "str"),
    ("entrypoint", "Entrypoint", "list"),
    ("env", "Env", "list"),
    ("hostname", "Hostname", "str"),
    ("image", "Image", "str"),
    ("labels", "Labels", "map"),
    ("on_build", "OnBuild", "list"),
    ("open_stdin", "OpenStdin", "bool"),
    ("stdin_once", "StdinOnce", "bool"),
    ("tty", "Tty", "bool"),
    ("user", "User", "str"),
    ("volumes", "Volumes", "set"),
    ("working_dir", "WorkingDir", "str"),
    ("exposed_ports", "ExposedPorts", "set"),
    ("args_escaped", "ArgsEscaped", "bool"),
    ("network_disabled", "NetworkDisabled", "bool"),
    ("mac_address", "MacAddress", "str"),
    ("stop_signal", "StopSignal", "str"),
    ("shell", "Shell", "list"),
)
_CONFIG_LOOKUP = _lookup(key for _, key, _ in _CONFIG_FIELDS)


@record(kw_only=True)
class Config:
    """How to run a container from the image (the ``config`` of a config file).

    Every attribute defaults to empty (``""``, ``False``, ``()``, ``{}``,
    ``frozenset()`` or None) and is then omitted from the JSON. ``volumes`` and
    ``exposed_ports`` are sets of strings (``{"80/tcp"}``), written as Go writes a
    ``map[string]struct{}``: ``{"80/tcp":{}}``.
    """

    attach_stderr: bool = False
    attach_stdin: bool = False
    attach_stdout: bool = False
    cmd: Sequence[str] = ()
    healthcheck: HealthConfig | None = None
    domainname: str = ""
    entrypoint: Sequence[str] = ()
    env: Sequence[str] = ()
    hostname: str = ""
    image: str = ""
    labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    on_build: Sequence[str] = ()
    open_stdin: bool = False
    stdin_once: bool = False
    tty: bool = False
    user: str = ""
    volumes: AbstractSet[str] = frozenset()
    working_dir: str = ""
    exposed_ports: AbstractSet[str] = frozenset()
    args_escaped: bool = False
    network_disabled: bool = False
    mac_address: str = ""
    stop_signal: str = ""
    shell: Sequence[str] = ()

    def __post_init__(self) -> None:
        coerce_tuples(self, "cmd", "entrypoint", "env", "on_build", "shell")
        _coerce_sets(self, "volumes", "exposed_ports")
        coerce_maps(self, "labels")

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        for attribute, key, kind in _CONFIG_FIELDS:
            value = getattr(self, attribute)
            if not value and kind != "health":
                continue
            if kind == "list":
                tree[key] = list(value)
            elif kind == "map":
                tree[key] = sorted_map(value)
            elif kind == "set":
                tree[key] = {item: {} for item in sorted(value)}
            elif kind == "health":
                if value is not None:
                    tree[key] = value._json_tree()
            else:
                tree[key] = value
        return tree

    def to_json(self) -> bytes:
        """Return the container config as Go's ``encoding/json`` writes ggcr's ``Config``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> Config:
        """Parse a container config object; raises :class:`ConfigParseError`."""
        from containerregistry.v1._decode import Reader

        reader = Reader("container config", ConfigParseError)
        return _container_config_from_object(reader.load(data), "", reader)


def _container_config_from_object(obj: dict[str, Any], path: str, reader: Any) -> Config:
    fields = reader.pick(obj, *_CONFIG_LOOKUP)
    prefix = f"{path}." if path else ""
    values: dict[str, Any] = {}
    for attribute, key, kind in _CONFIG_FIELDS:
        if key not in fields:
            continue
        value = fields[key]
        where = prefix + key
        if kind == "bool":
            values[attribute] = reader.boolean(value, where)
        elif kind == "str":
            values[attribute] = reader.string(value, where)
        elif kind == "list":
            values[attribute] = reader.strings(value, where) or ()
        elif kind == "map":
            values[attribute] = reader.string_map(value, where) or {}
        elif kind == "set":
            values[attribute] = reader.string_set(value, where) or frozenset()
        else:
            health = reader.optional_object(value, where)
            values[attribute] = (
                None if health is None else _health_from_object(health, where, reader)
            )
    return Config(**values)


@record(kw_only=True)
class History:
    """One step of how the image was built.

    Attributes:
        author: default ``""`` (omitted).
        created: default Go's zero time (always written).
        created_by: the command, e.g. ``/bin/sh -c #(nop) ADD ...`` (default ``""``).
        comment: default ``""``.
        empty_layer: True when the step added no layer (default False).
    """

    author: str = ""
    created: Time = _ZERO_TIME
    created_by: str = ""
    comment: str = ""
    empty_layer: bool = False

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        if self.author:
            tree["author"] = self.author
        # Go's omitempty never omits a struct, so the zero time is written.
        tree["created"] = str(self.created)
        if self.created_by:
            tree["created_by"] = self.created_by
        if self.comment:
            tree["comment"] = self.comment
        if self.empty_layer:
            tree["empty_layer"] = True
        return tree

    def to_json(self) -> bytes:
        """Return the history entry as Go's ``encoding/json`` writes it."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> History:
        """Parse a history entry; raises :class:`ConfigParseError`."""
        from containerregistry.v1._decode import Reader

        reader = Reader("history entry", ConfigParseError)
        return _history_from_object(reader.load(data), "", reader)


_HISTORY_LOOKUP = _lookup(("author", "created", "created_by", "comment", "empty_layer"))


def _history_from_object(obj: dict[str, Any], path: str, reader: Any) -> History:
    fields = reader.pick(obj, *_HISTORY_LOOKUP)
    prefix = f"{path}." if path else ""
    get = fields.get
    return History(
        author=reader.string(get("author"), prefix + "author"),
        created=time_from_value(get("created"), prefix + "created", reader),
        created_by=reader.string(get("created_by"), prefix + "created_by"),
        comment=reader.string(get("comment"), prefix + "comment"),
        empty_layer=reader.boolean(get("empty_layer"), prefix + "empty_layer"),
    )


@record(kw_only=True)
class RootFS:
    """The layers of the root filesystem, by uncompressed digest (diff ID).

    Attributes:
        type: default ``"layers"`` (the only type in use).
        diff_ids: base first (default None, written ``null`` as Go writes a nil
            slice; ``()`` is written ``[]``).
    """

    type: str = "layers"
    diff_ids: Sequence[Hash] | None = None

    def __post_init__(self) -> None:
        coerce_optional_tuple(self, "diff_ids")

    def _json_tree(self) -> dict[str, Any]:
        diff_ids = None if self.diff_ids is None else [str(h) for h in self.diff_ids]
        return {"type": self.type, "diff_ids": diff_ids}

    def to_json(self) -> bytes:
        """Return the rootfs as Go's ``encoding/json`` writes it."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> RootFS:
        """Parse a rootfs object; raises :class:`ConfigParseError`."""
        from containerregistry.v1._decode import Reader

        reader = Reader("rootfs", ConfigParseError)
        return _rootfs_from_object(reader.load(data), "", reader)


_ROOTFS_LOOKUP = _lookup(("type", "diff_ids"))


def _rootfs_from_object(obj: dict[str, Any], path: str, reader: Any) -> RootFS:
    fields = reader.pick(obj, *_ROOTFS_LOOKUP)
    prefix = f"{path}." if path else ""
    raw = fields.get("diff_ids")
    diff_ids: Sequence[Hash] | None = None
    if raw is not None:
        if not isinstance(raw, list):
            from containerregistry.v1._decode import kind

            raise reader.error_at(prefix + "diff_ids", f"want an array of digests, got {kind(raw)}")
        diff_ids = tuple(
            reader.digest(item, f"{prefix}diff_ids[{i}]") for i, item in enumerate(raw)
        )
    return RootFS(type=reader.string(fields.get("type"), prefix + "type"), diff_ids=diff_ids)


_CONFIG_FILE_LOOKUP = _lookup(
    (
        "architecture",
        "author",
        "container",
        "created",
        "docker_version",
        "history",
        "os",
        "rootfs",
        "config",
        "os.version",
        "variant",
        "os.features",
    )
)


@record(kw_only=True)
class ConfigFile:
    """An image config: platform, history, root filesystem and run configuration.

    ``ConfigFile().to_json()`` is the 115-byte config of the empty image.

    Attributes:
        architecture: default ``""`` (always written).
        author: default ``""`` (omitted).
        container: default ``""`` (omitted).
        created: default Go's zero time (always written).
        docker_version: default ``""`` (omitted).
        history: default ``()`` (omitted).
        os: default ``""`` (always written).
        rootfs: default ``RootFS()``: type ``layers``, diff_ids ``null``.
        config: default ``Config()``, written ``{}``.
        os_version: default ``""`` (written as ``os.version``, omitted when empty).
        variant: default ``""``.
        os_features: default ``()`` (written as ``os.features``).
    """

    architecture: str = ""
    author: str = ""
    container: str = ""
    created: Time = _ZERO_TIME
    docker_version: str = ""
    history: Sequence[History] = ()
    os: str = ""
    rootfs: RootFS = dataclasses.field(default_factory=RootFS)
    config: Config = dataclasses.field(default_factory=Config)
    os_version: str = ""
    variant: str = ""
    os_features: Sequence[str] = ()

    def __post_init__(self) -> None:
        coerce_tuples(self, "history", "os_features")

    def platform(self) -> Platform | None:
        """Return the platform this config describes, or None if every field of it is empty."""
        if not (
            self.os or self.architecture or self.os_version or self.variant or self.os_features
        ):
            return None
        return Platform(
            os=self.os,
            architecture=self.architecture,
            os_version=self.os_version,
            variant=self.variant,
            os_features=self.os_features,
        )

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {"architecture": self.architecture}
        if self.author:
            tree["author"] = self.author
        if self.container:
            tree["container"] = self.container
        tree["created"] = str(self.created)
        if self.docker_version:
            tree["docker_version"] = self.docker_version
        if self.history:
            tree["history"] = [entry._json_tree() for entry in self.history]
        tree["os"] = self.os
        tree["rootfs"] = self.rootfs._json_tree()
        tree["config"] = self.config._json_tree()
        if self.os_version:
            tree["os.version"] = self.os_version
        if self.variant:
            tree["variant"] = self.variant
        if self.os_features:
            tree["os.features"] = list(self.os_features)
        return tree

    def to_json(self) -> bytes:
        """Return the config as Go's ``encoding/json`` writes ggcr's ``ConfigFile``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> ConfigFile:
        """Parse an image config; unknown fields are ignored (and dropped by ``to_json``).

        Raises :class:`ConfigParseError` naming the field that could not be read.
        """
        from containerregistry.v1._decode import Reader

        reader = Reader("image config", ConfigParseError)
        obj = reader.load(data)
        fields = reader.pick(obj, *_CONFIG_FILE_LOOKUP)
        get = fields.get
        history_raw = get("history")
        history: tuple[History, ...] = ()
        if history_raw is not None:
            if not isinstance(history_raw, list):
                from containerregistry.v1._decode import kind

                raise reader.error_at("history", f"want an array, got {kind(history_raw)}")
            history = tuple(
                _history_from_object(reader.object(item, f"history[{i}]"), f"history[{i}]", reader)
                for i, item in enumerate(history_raw)
            )
        rootfs_obj = reader.optional_object(get("rootfs"), "rootfs")
        config_obj = reader.optional_object(get("config"), "config")
        return cls(
            architecture=reader.string(get("architecture"), "architecture"),
            author=reader.string(get("author"), "author"),
            container=reader.string(get("container"), "container"),
            created=time_from_value(get("created"), "created", reader),
            docker_version=reader.string(get("docker_version"), "docker_version"),
            history=history,
            os=reader.string(get("os"), "os"),
            # Go leaves a missing rootfs at its zero value: type "" and no diff_ids.
            rootfs=(
                RootFS(type="")
                if rootfs_obj is None
                else _rootfs_from_object(rootfs_obj, "rootfs", reader)
            ),
            config=(
                Config()
                if config_obj is None
                else _container_config_from_object(config_obj, "config", reader)
            ),
            os_version=reader.string(get("os.version"), "os.version"),
            variant=reader.string(get("variant"), "variant"),
            os_features=reader.strings(get("os.features"), "os.features") or (),
        )
