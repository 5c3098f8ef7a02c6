"""``manifest.json`` of a ``docker save`` tarball: one descriptor per image."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from containerregistry.lazy import record
from containerregistry.tarball._errors import InvalidTarballError
from containerregistry.v1 import Descriptor, GoStruct, Hash, ManifestParseError, go_json_dumps

if TYPE_CHECKING:
    # The tar reader loads when a tarball is read: writing one does not need it.
    from containerregistry.tarball._archive import Opener, TarArchive

MANIFEST_NAME = "manifest.json"


@record(kw_only=True)
class ManifestDescriptor:
    """One image of a tarball, as its ``manifest.json`` describes it.

    Attributes:
        config: the entry holding the config, e.g. ``sha256:<hex>`` (required).
        repo_tags: the tags of the image, e.g. ``("reg/repo:tag",)``; None (written
            ``null``) for an image saved by digest (default None).
        layers: the entries holding the layers, base first (default None, ``null``).
        layer_sources: descriptors of foreign (non-distributable) layers by diff_id
            (default empty, omitted).
    """

    config: str
    repo_tags: tuple[str, ...] | None = None
    layers: tuple[str, ...] | None = None
    layer_sources: Mapping[Hash, Descriptor] = dataclasses.field(default_factory=dict)

    def _json_tree(self) -> GoStruct:
        tree = GoStruct(
            Config=self.config,
            RepoTags=None if self.repo_tags is None else list(self.repo_tags),
            Layers=None if self.layers is None else list(self.layers),
        )
        if self.layer_sources:
            tree["LayerSources"] = dict(self.layer_sources)
        return tree


def manifest_to_json(
    descriptors: list[ManifestDescriptor] | tuple[ManifestDescriptor, ...],
) -> bytes:
    """Return ``manifest.json`` bytes as ggcr writes them (Go field order, compact)."""
    return go_json_dumps([descriptor._json_tree() for descriptor in descriptors])


def _field(obj: dict[str, Any], name: str) -> Any:
    """Look a field up as Go's decoder does: exact name first, then case-insensitively."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return value
    return None


def parse_manifest(data: bytes, *, source: str) -> tuple[ManifestDescriptor, ...]:
    """Parse ``manifest.json``; raise :class:`InvalidTarballError` naming the bad part."""
    where = f"{source}: {MANIFEST_NAME}"
    try:
        tree = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidTarballError(f"{where} is not valid JSON ({exc})") from None
    if tree is None:
        raise InvalidTarballError(
            f"{where} is null: no valid manifest.json in the tarball; it was not written "
            "by docker save or crane"
        )
    if not isinstance(tree, list):
        raise InvalidTarballError(
            f"{where}: want a JSON array of images, got {type(tree).__name__}"
        )
    return tuple(_descriptor(item, f"{where}[{i}]") for i, item in enumerate(tree))


def _strings(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidTarballError(f"{where}: want an array of strings")
    return tuple(value)


def _descriptor(item: Any, where: str) -> ManifestDescriptor:
    if not isinstance(item, dict):
        raise InvalidTarballError(f"{where}: want a JSON object")
    config = _field(item, "Config")
    if not isinstance(config, str) or not config:
        raise InvalidTarballError(f"{where}.Config: missing or not a string")
    sources_raw = _field(item, "LayerSources")
    sources: dict[Hash, Descriptor] = {}
    if sources_raw is not None:
        if not isinstance(sources_raw, dict):
            raise InvalidTarballError(f"{where}.LayerSources: want a JSON object")
        for key, value in sources_raw.items():
            try:
                sources[Hash.parse(key)] = Descriptor.from_json(json.dumps(value))
            except (ValueError, ManifestParseError) as exc:
                raise InvalidTarballError(f"{where}.LayerSources[{key!r}]: {exc}") from None
    return ManifestDescriptor(
        config=config,
        repo_tags=_strings(_field(item, "RepoTags"), f"{where}.RepoTags"),
        layers=_strings(_field(item, "Layers"), f"{where}.Layers"),
        layer_sources=sources,
    )


def read_manifest(archive: TarArchive) -> tuple[ManifestDescriptor, ...]:
    """Read and parse ``manifest.json`` from ``archive``."""
    if not archive.exists(MANIFEST_NAME):
        raise InvalidTarballError(
            f"{archive.source}: no {MANIFEST_NAME} in the tarball; it is not a docker save "
            "or crane tarball (a legacy tarball with only 'repositories' is not supported)"
        )
    return parse_manifest(archive.read(MANIFEST_NAME), source=archive.source)


def load_manifest(opener: Opener, *, source: str = "tarball") -> tuple[ManifestDescriptor, ...]:
    """Return the descriptors of ``manifest.json`` in the tarball ``opener`` opens.

    ``source`` names the tarball in error messages (default ``"tarball"``).
    Raises :class:`InvalidTarballError` for a missing, ``null`` or malformed file.
    """
    from containerregistry.tarball._archive import TarArchive

    return read_manifest(TarArchive(opener, source=source))
