"""The image model: digests, descriptors, manifests, configs and platforms.

The data classes are frozen and serialize with ``to_json()`` to exactly the bytes
go-containerregistry writes, so digests match crane's. ``Image``, ``ImageIndex``
and ``Layer`` are the protocols every source produces and every sink consumes.
"""

from __future__ import annotations

from containerregistry.lazy import attach

# Names load with their module on first use: `import containerregistry.v1` must stay
# cheap (a `Hash` never needs dataclasses, the JSON documents or the protocols).
# `typing.TYPE_CHECKING` would import typing, and with it `re`; mypy treats any
# constant named TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from containerregistry.v1._config import Config, ConfigFile, HealthConfig, History, RootFS
    from containerregistry.v1._errors import (
        ConfigParseError,
        ManifestParseError,
        ParseError,
        PlatformParseError,
        TimeParseError,
    )
    from containerregistry.v1._gojson import GoStruct, go_json_dumps, go_quote
    from containerregistry.v1._hash import BadHashError, Hash
    from containerregistry.v1._manifest import Descriptor, IndexManifest, Manifest
    from containerregistry.v1._platform import Platform
    from containerregistry.v1._protocols import (
        Image,
        ImageIndex,
        Layer,
        ProgressCallback,
        Update,
    )
    from containerregistry.v1._time import Time

_MODULE_OF: dict[str, str] = {
    "BadHashError": "_hash",
    "Config": "_config",
    "ConfigFile": "_config",
    "ConfigParseError": "_errors",
    "Descriptor": "_manifest",
    "go_json_dumps": "_gojson",
    "go_quote": "_gojson",
    "GoStruct": "_gojson",
    "Hash": "_hash",
    "HealthConfig": "_config",
    "History": "_config",
    "Image": "_protocols",
    "ImageIndex": "_protocols",
    "IndexManifest": "_manifest",
    "Layer": "_protocols",
    "Manifest": "_manifest",
    "ManifestParseError": "_errors",
    "ParseError": "_errors",
    "Platform": "_platform",
    "PlatformParseError": "_errors",
    "ProgressCallback": "_protocols",
    "RootFS": "_config",
    "Time": "_time",
    "TimeParseError": "_errors",
    "Update": "_protocols",
}

__all__ = [
    "BadHashError",
    "Config",
    "ConfigFile",
    "ConfigParseError",
    "Descriptor",
    "GoStruct",
    "Hash",
    "HealthConfig",
    "History",
    "Image",
    "ImageIndex",
    "IndexManifest",
    "Layer",
    "Manifest",
    "ManifestParseError",
    "ParseError",
    "Platform",
    "PlatformParseError",
    "ProgressCallback",
    "RootFS",
    "Time",
    "TimeParseError",
    "Update",
    "go_json_dumps",
    "go_quote",
]


__getattr__, __dir__ = attach(__name__, _MODULE_OF, __all__)
