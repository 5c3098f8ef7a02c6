"""``config``, ``config_file`` and ``created_at``: replace parts of an image's config."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from containerregistry.mutate._image import MutatedImage

if TYPE_CHECKING:
    from containerregistry.v1 import Config, ConfigFile, Image, Time


def config_file(image: Image, config_file: ConfigFile) -> Image:
    """Return ``image`` with ``config_file`` as its config.

    The config is serialized as Go does and the manifest's config descriptor is
    updated (digest, size, and embedded data if the base embedded it); layers
    are unchanged. Works for artifacts too: the given config replaces theirs.
    """
    return MutatedImage(image, config_file=config_file)


def config(image: Image, config: Config) -> Image:
    """Return ``image`` with its run configuration (``config`` of the config file) replaced.

    Reads the base's config file now; every other config field is kept.
    """
    current = image.config_file()
    return config_file(image, dataclasses.replace(current, config=config))


def created_at(image: Image, created: Time) -> Image:
    """Return ``image`` with the config's ``created`` time set to ``created``.

    Reads the base's config file now; history entries are not touched.
    """
    current = image.config_file()
    return config_file(image, dataclasses.replace(current, created=created))
