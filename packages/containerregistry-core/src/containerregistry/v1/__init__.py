"""The image model: digests, descriptors, manifests, configs and platforms.

The data classes are frozen and serialize with ``to_json()`` to exactly the bytes
go-containerregistry writes, so digests match crane's. ``Image``, ``ImageIndex``
and ``Layer`` are the protocols every source produces and every sink consumes.
"""

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
from containerregistry.v1._protocols import Image, ImageIndex, Layer, Update
from containerregistry.v1._time import Time

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
    "RootFS",
    "Time",
    "TimeParseError",
    "Update",
    "go_json_dumps",
    "go_quote",
]
