"""``mutate_image``: change an image's config and annotations, as ``crane mutate`` does."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from containerregistry.errors import ContainerRegistryError

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Platform


class MutateOptionError(ContainerRegistryError, ValueError):
    """A change asked of ``mutate_image`` is malformed (e.g. an empty label value)."""


def check_key_values(kind: str, pairs: Mapping[str, str]) -> None:
    """Raise :class:`MutateOptionError` if a value of ``pairs`` is empty (crane refuses them)."""
    for key, value in pairs.items():
        if value == "":
            raise MutateOptionError(
                f"parsing {kind} {key!r}: the value is empty; give it as {key}=VALUE"
            )


def merge_env(
    env: Sequence[str], changes: Sequence[tuple[str, str]], *, windows: bool = False
) -> list[str]:
    """Return ``env`` (``KEY=VALUE`` strings) with ``changes`` applied as crane does.

    A key already set keeps its place and takes the new value; new keys are
    appended in the order given (upper-cased on Windows, whose variables are
    case-insensitive). A key given twice takes its last value. Raises
    :class:`MutateOptionError` for an existing entry without ``=``.
    """
    wanted: dict[str, str] = {}
    for key, value in changes:
        wanted[key] = value
    result: list[str] = []
    for entry in env:
        key, equals, _ = entry.partition("=")
        if not equals:
            raise MutateOptionError(
                f"invalid key value pair in config: {entry!r} has no '='; "
                "fix the image's Env or rebuild it"
            )
        if key in wanted:
            result.append(f"{key}={wanted.pop(key)}")
        else:
            result.append(entry)
    for key, value in wanted.items():
        result.append(f"{key.upper() if windows else key}={value}")
    return result


def mutate_image(
    image: Image,
    *,
    annotations: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    env: Sequence[tuple[str, str]] = (),
    entrypoint: Sequence[str] | None = None,
    cmd: Sequence[str] | None = None,
    user: str = "",
    workdir: str = "",
    exposed_ports: Sequence[str] | None = None,
    platform: Platform | None = None,
    append: Sequence[str | os.PathLike[str]] = (),
) -> Image:
    """Return ``image`` changed as ``crane mutate`` changes it.

    - ``append`` (default none): tarballs appended first, as :func:`append`.
    - ``labels`` (default None): merged into the config's labels; empty values are errors.
    - ``env`` (default none): ``(KEY, VALUE)`` pairs, see :func:`merge_env`.
    - ``entrypoint`` (default None: keep): replaces the entrypoint and clears ``Cmd``
      unless ``cmd`` is given too (Docker does the same).
    - ``cmd``, ``user``, ``workdir`` (default keep): replace those fields when non-empty.
    - ``exposed_ports`` (default None: keep): replaces the whole set, e.g. ``["80/tcp"]``.
    - ``platform`` (default None: keep): sets the config's os, architecture, variant
      and os version.
    - ``annotations`` (default None): merged into the manifest's annotations; empty
      values are errors.

    The config is re-serialized as Go does (unknown fields dropped); ``created`` is
    not touched, so the result is deterministic. Raises :class:`MutateOptionError`.
    """
    from containerregistry import mutate
    from containerregistry.crane._append import append as append_layers

    check_key_values("label", labels or {})
    check_key_values("annotation", annotations or {})
    if append:
        image = append_layers(image, *append)
    config_file = image.config_file()
    config = config_file.config
    changes: dict[str, Any] = {}
    if labels:
        merged = dict(config.labels)
        merged.update(labels)
        changes["labels"] = merged
    if env:
        changes["env"] = tuple(merge_env(config.env, env, windows=config_file.os == "windows"))
    if entrypoint:
        changes["entrypoint"] = tuple(entrypoint)
        changes["cmd"] = ()
    if cmd:
        changes["cmd"] = tuple(cmd)
    if user:
        changes["user"] = user
    if workdir:
        changes["working_dir"] = workdir
    if exposed_ports:
        changes["exposed_ports"] = frozenset(exposed_ports)
    new_config_file = dataclasses.replace(
        config_file, config=dataclasses.replace(config, **changes)
    )
    if platform is not None:
        new_config_file = dataclasses.replace(
            new_config_file,
            os=platform.os,
            architecture=platform.architecture,
            variant=platform.variant,
            os_version=platform.os_version,
        )
    image = mutate.config_file(image, new_config_file)
    if annotations:
        image = mutate.annotations(image, dict(annotations))
    return image
