"""Descriptors, image manifests and index manifests, and their Go-compatible JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from containerregistry.lazy import record
from containerregistry.v1._errors import ManifestParseError
from containerregistry.v1._hash import Hash
from containerregistry.v1._platform import Platform, coerce_tuples, platform_from_object

_DESCRIPTOR_FIELDS = (
    "mediaType",
    "size",
    "digest",
    "data",
    "urls",
    "annotations",
    "platform",
    "artifactType",
)
_MANIFEST_FIELDS = (
    "schemaVersion",
    "mediaType",
    "config",
    "layers",
    "annotations",
    "subject",
    "artifactType",
)
_INDEX_FIELDS = (
    "schemaVersion",
    "mediaType",
    "manifests",
    "annotations",
    "subject",
    "artifactType",
)


def _lookup(fields: tuple[str, ...]) -> tuple[frozenset[str], dict[str, str]]:
    return frozenset(fields), {name.lower(): name for name in fields}


_DESCRIPTOR_LOOKUP = _lookup(_DESCRIPTOR_FIELDS)
_MANIFEST_LOOKUP = _lookup(_MANIFEST_FIELDS)
_INDEX_LOOKUP = _lookup(_INDEX_FIELDS)


def coerce_maps(instance: object, *names: str) -> None:
    """Replace None or non-dict mappings in omitempty map fields by a fresh dict."""
    for name in names:
        value = getattr(instance, name)
        if type(value) is not dict:
            object.__setattr__(instance, name, {} if value is None else dict(value))


def coerce_optional_tuple(instance: object, name: str) -> None:
    """Coerce a non-omitempty list field to a tuple, keeping None (Go's nil, ``null``)."""
    value: object = getattr(instance, name)
    if value is not None and type(value) is not tuple:
        if not isinstance(value, Iterable):
            raise TypeError(f"{name}: want a sequence, got {type(value).__name__}")
        object.__setattr__(instance, name, tuple(value))


def sorted_map(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``mapping`` with keys in Go's map order (sorted by UTF-8 bytes)."""
    return {key: mapping[key] for key in sorted(mapping)}


@record(kw_only=True)
class Descriptor:
    """A reference to a blob or manifest: its media type, size and digest.

    Attributes:
        media_type: the media type of the referenced content (required).
        size: its size in bytes (required).
        digest: its sha256 (required).
        data: the content itself, embedded (default ``b""``; written as base64).
        urls: where else it can be fetched from (default empty; foreign layers).
        annotations: arbitrary metadata (default empty).
        platform: the platform of a manifest in an index (default None).
        artifact_type: the artifact type of the referenced manifest (default ``""``).

    Instances with annotations are not hashable (the mapping is a ``dict``).
    """

    media_type: str
    size: int
    digest: Hash
    data: bytes = b""
    urls: Sequence[str] = ()
    annotations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    platform: Platform | None = None
    artifact_type: str = ""

    def __post_init__(self) -> None:
        coerce_tuples(self, "urls")
        coerce_maps(self, "annotations")
        data: object = self.data
        if type(data) is not bytes:
            object.__setattr__(self, "data", b"" if data is None else bytes(data))  # type: ignore[call-overload]

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {
            "mediaType": self.media_type,
            "size": self.size,
            "digest": str(self.digest),
        }
        if self.data:
            import base64

            tree["data"] = base64.b64encode(self.data).decode("ascii")
        if self.urls:
            tree["urls"] = list(self.urls)
        if self.annotations:
            tree["annotations"] = sorted_map(self.annotations)
        if self.platform is not None:
            tree["platform"] = self.platform._json_tree()
        if self.artifact_type:
            tree["artifactType"] = self.artifact_type
        return tree

    def to_json(self) -> bytes:
        """Return the descriptor as Go's ``encoding/json`` writes ggcr's ``Descriptor``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> Descriptor:
        """Parse a descriptor (e.g. an OCI ``application/vnd.oci.descriptor.v1+json``).

        Unknown fields are ignored. Raises :class:`ManifestParseError` naming the field.
        """
        from containerregistry.v1._decode import Reader

        reader = Reader("descriptor", ManifestParseError)
        return descriptor_from_object(reader.load(data), "", reader)


@record(kw_only=True)
class Manifest:
    """An image manifest: a config descriptor and the ordered layer descriptors.

    Attributes:
        config: the descriptor of the config blob (required).
        schema_version: default 2.
        media_type: e.g. ``types.OCI_MANIFEST_SCHEMA1`` (default ``""``, omitted).
        layers: the layer descriptors, base first (default None, written ``null``
            as Go writes a nil slice; ``()`` is written ``[]``).
        annotations: default empty.
        subject: the manifest this one refers to (default None).
        artifact_type: default ``""``.
    """

    schema_version: int = 2
    media_type: str = ""
    config: Descriptor
    layers: Sequence[Descriptor] | None = None
    annotations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    subject: Descriptor | None = None
    artifact_type: str = ""

    def __post_init__(self) -> None:
        coerce_optional_tuple(self, "layers")
        coerce_maps(self, "annotations")

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {"schemaVersion": self.schema_version}
        if self.media_type:
            tree["mediaType"] = self.media_type
        tree["config"] = self.config._json_tree()
        tree["layers"] = (
            None if self.layers is None else [layer._json_tree() for layer in self.layers]
        )
        if self.annotations:
            tree["annotations"] = sorted_map(self.annotations)
        if self.subject is not None:
            tree["subject"] = self.subject._json_tree()
        if self.artifact_type:
            tree["artifactType"] = self.artifact_type
        return tree

    def to_json(self) -> bytes:
        """Return the manifest as Go's ``encoding/json`` writes ggcr's ``Manifest``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """Parse an image manifest; unknown fields are ignored.

        Raises :class:`ManifestParseError` naming the field that could not be read.
        """
        from containerregistry.v1._decode import Reader

        reader = Reader("image manifest", ManifestParseError)
        obj = reader.load(data)
        names, fold = _MANIFEST_LOOKUP
        fields = reader.pick(obj, names, fold)
        get = fields.get
        config = reader.optional_object(get("config"), "config")
        if config is None:
            raise reader.error_at("config", "missing config descriptor")
        layers = _descriptors(get("layers"), "layers", reader)
        return cls(
            schema_version=reader.int64(get("schemaVersion"), "schemaVersion"),
            media_type=reader.string(get("mediaType"), "mediaType"),
            config=descriptor_from_object(config, "config", reader),
            layers=layers,
            annotations=reader.string_map(get("annotations"), "annotations") or {},
            subject=_subject(get("subject"), reader),
            artifact_type=reader.string(get("artifactType"), "artifactType"),
        )


@record(kw_only=True)
class IndexManifest:
    """An image index (or Docker manifest list): descriptors of child manifests.

    Attributes:
        schema_version: default 2.
        media_type: e.g. ``types.OCI_IMAGE_INDEX`` (default ``""``, omitted).
        manifests: the child descriptors (default None, written ``null`` as Go
            writes a nil slice; ``()`` is written ``[]``).
        annotations: default empty.
        subject: default None.
        artifact_type: default ``""``.
    """

    schema_version: int = 2
    media_type: str = ""
    manifests: Sequence[Descriptor] | None = None
    annotations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    subject: Descriptor | None = None
    artifact_type: str = ""

    def __post_init__(self) -> None:
        coerce_optional_tuple(self, "manifests")
        coerce_maps(self, "annotations")

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {"schemaVersion": self.schema_version}
        if self.media_type:
            tree["mediaType"] = self.media_type
        tree["manifests"] = (
            None if self.manifests is None else [child._json_tree() for child in self.manifests]
        )
        if self.annotations:
            tree["annotations"] = sorted_map(self.annotations)
        if self.subject is not None:
            tree["subject"] = self.subject._json_tree()
        if self.artifact_type:
            tree["artifactType"] = self.artifact_type
        return tree

    def to_json(self) -> bytes:
        """Return the index as Go's ``encoding/json`` writes ggcr's ``IndexManifest``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> IndexManifest:
        """Parse an image index or manifest list; unknown fields are ignored.

        Raises :class:`ManifestParseError` naming the field that could not be read.
        """
        from containerregistry.v1._decode import Reader

        reader = Reader("index manifest", ManifestParseError)
        obj = reader.load(data)
        names, fold = _INDEX_LOOKUP
        fields = reader.pick(obj, names, fold)
        get = fields.get
        return cls(
            schema_version=reader.int64(get("schemaVersion"), "schemaVersion"),
            media_type=reader.string(get("mediaType"), "mediaType"),
            manifests=_descriptors(get("manifests"), "manifests", reader),
            annotations=reader.string_map(get("annotations"), "annotations") or {},
            subject=_subject(get("subject"), reader),
            artifact_type=reader.string(get("artifactType"), "artifactType"),
        )


def _descriptors(value: Any, path: str, reader: Any) -> tuple[Descriptor, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        from containerregistry.v1._decode import kind

        raise reader.error_at(path, f"want an array of descriptors, got {kind(value)}")
    return tuple(
        descriptor_from_object(reader.object(item, f"{path}[{i}]"), f"{path}[{i}]", reader)
        for i, item in enumerate(value)
    )


def _subject(value: Any, reader: Any) -> Descriptor | None:
    obj = reader.optional_object(value, "subject")
    return None if obj is None else descriptor_from_object(obj, "subject", reader)


def descriptor_from_object(obj: dict[str, Any], path: str, reader: Any) -> Descriptor:
    """Build a Descriptor from a decoded JSON object (``path`` names it in errors)."""
    names, fold = _DESCRIPTOR_LOOKUP
    fields = reader.pick(obj, names, fold)
    prefix = f"{path}." if path else ""
    get = fields.get
    platform_obj = reader.optional_object(get("platform"), prefix + "platform")
    return Descriptor(
        media_type=reader.string(get("mediaType"), prefix + "mediaType"),
        size=reader.int64(get("size"), prefix + "size"),
        digest=reader.digest(get("digest"), prefix + "digest"),
        data=_base64(get("data"), prefix + "data", reader),
        urls=reader.strings(get("urls"), prefix + "urls") or (),
        annotations=reader.string_map(get("annotations"), prefix + "annotations") or {},
        platform=(
            None
            if platform_obj is None
            else platform_from_object(platform_obj, prefix + "platform", reader)
        ),
        artifact_type=reader.string(get("artifactType"), prefix + "artifactType"),
    )


def _base64(value: Any, path: str, reader: Any) -> bytes:
    if value is None:
        return b""
    if not isinstance(value, str):
        from containerregistry.v1._decode import kind

        raise reader.error_at(path, f"want a base64 string, got {kind(value)}")
    import base64
    import binascii

    # Go's decoder skips carriage returns and newlines; anything else must be base64.
    text = value.replace("\r", "").replace("\n", "")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise reader.error_at(path, "invalid base64 data") from None
