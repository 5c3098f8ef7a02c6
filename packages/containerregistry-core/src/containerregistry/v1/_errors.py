"""Errors raised while reading the JSON documents of the image model."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class ParseError(ContainerRegistryError, ValueError):
    """A JSON document (manifest, index, config, platform, time) could not be parsed.

    The message names the document, the field (e.g. ``layers[2].digest``) and what
    was wrong with it.
    """


class ManifestParseError(ParseError):
    """An image manifest, index manifest or descriptor is not valid JSON of that shape."""


class ConfigParseError(ParseError):
    """An image config (or one of its parts) is not valid JSON of that shape."""


class PlatformParseError(ParseError):
    """A platform string (``os/arch[/variant][:osversion]``) or JSON object is malformed."""


class TimeParseError(ParseError):
    """A timestamp is not RFC 3339 (``2006-01-02T15:04:05.999999999Z07:00``) or is out of range."""
