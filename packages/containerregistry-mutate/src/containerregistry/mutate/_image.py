"""``MutatedImage``: an image view that applies its changes lazily, once."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.lazy import record
from containerregistry.mutate._describe import describe
from containerregistry.static import Layer as StaticLayer
from containerregistry.v1 import ConfigFile, Hash, History, Manifest

if TYPE_CHECKING:
    from containerregistry.mutate._append import Addendum
    from containerregistry.v1 import Image, Layer

#: Marks "not overridden" where None is a meaningful value (e.g. removing a subject).
_UNSET: object = object()


@record
class _Computed:
    config_file: ConfigFile | None
    raw_config: bytes
    manifest: Manifest
    raw_manifest: bytes
    by_diff_id: Mapping[Hash, Layer]
    by_digest: Mapping[Hash, Layer]


class MutatedImage:
    """An image that is ``base`` with additions and overrides, computed on first use.

    Config and manifest are built once (under a lock) the first time anything
    needs them; nothing of ``base`` is read before. Image configs are
    re-serialized as Go does (unknown fields dropped); configs of other media
    types (artifacts) are kept byte for byte unless a new config file is given.
    """

    def __init__(
        self,
        base: Image,
        *,
        adds: Sequence[Addendum] = (),
        config_file: ConfigFile | None = None,
        annotations: Mapping[str, str] | None = None,
        media_type: str | None = None,
        config_media_type: str | None = None,
        subject: object = _UNSET,
    ) -> None:
        self._base = base
        self._adds = tuple(adds)
        self._config_file = config_file
        self._annotations = None if annotations is None else dict(annotations)
        self._media_type = media_type
        self._config_media_type = config_media_type
        self._subject = subject
        self._lock = threading.Lock()
        self._computed: _Computed | None = None

    # -- computing ------------------------------------------------------------

    def _compute(self) -> _Computed:
        with self._lock:
            if self._computed is None:
                self._computed = self._build()
            return self._computed

    def _build(self) -> _Computed:
        base_manifest = self._base.manifest()
        by_diff_id: dict[Hash, Layer] = {}
        by_digest: dict[Hash, Layer] = {}
        layers = list(base_manifest.layers or ())
        for add in self._adds:
            if add.layer is None:
                continue  # an empty-layer step only adds history
            descriptor = describe(add.layer)
            if add.annotations:
                descriptor = dataclasses.replace(descriptor, annotations=dict(add.annotations))
            if add.urls:
                descriptor = dataclasses.replace(descriptor, urls=tuple(add.urls))
            if add.media_type:
                descriptor = dataclasses.replace(descriptor, media_type=add.media_type)
            layers.append(descriptor)
            by_digest[descriptor.digest] = add.layer

        config_descriptor = base_manifest.config
        config_file: ConfigFile | None
        if self._config_file is None and not types.is_config(config_descriptor.media_type):
            # An artifact's config is not ours to re-encode: keep its bytes and digest.
            config_file = None
            raw_config = self._base.raw_config_file()
            for add in self._adds:
                if add.layer is not None:
                    by_diff_id[add.layer.diff_id()] = add.layer
        else:
            config_file = self._config_file
            if config_file is None:
                config_file = self._base.config_file()
            if self._adds:
                diff_ids = list(config_file.rootfs.diff_ids or ())
                history = list(config_file.history)
                for add in self._adds:
                    history.append(add.history if add.history is not None else History())
                    if add.layer is not None:
                        diff_id = add.layer.diff_id()
                        diff_ids.append(diff_id)
                        by_diff_id[diff_id] = add.layer
                config_file = dataclasses.replace(
                    config_file,
                    history=tuple(history),
                    rootfs=dataclasses.replace(config_file.rootfs, diff_ids=tuple(diff_ids)),
                )
            raw_config = config_file.to_json()
            config_descriptor = dataclasses.replace(
                config_descriptor,
                digest=Hash.of(raw_config),
                size=len(raw_config),
                # Go re-embeds the config when the base embedded it.
                data=raw_config if config_descriptor.data else b"",
            )
        if self._config_media_type is not None:
            config_descriptor = dataclasses.replace(
                config_descriptor, media_type=self._config_media_type
            )

        changes: dict[str, object] = {"config": config_descriptor, "layers": tuple(layers)}
        if base_manifest.layers is None and not layers:
            changes["layers"] = None  # keep Go's nil slice
        if self._media_type is not None:
            changes["media_type"] = self._media_type
        if self._annotations is not None:
            merged = dict(base_manifest.annotations)
            merged.update(self._annotations)
            changes["annotations"] = merged
        if self._subject is not _UNSET:
            changes["subject"] = self._subject
        manifest = dataclasses.replace(base_manifest, **changes)  # type: ignore[arg-type]
        return _Computed(
            config_file=config_file,
            raw_config=raw_config,
            manifest=manifest,
            raw_manifest=manifest.to_json(),
            by_diff_id=by_diff_id,
            by_digest=by_digest,
        )

    # -- the Image protocol ---------------------------------------------------

    def layers(self) -> list[Layer]:
        """Return the base's layers followed by the appended ones (nothing is computed)."""
        layers = list(self._base.layers())
        layers.extend(add.layer for add in self._adds if add.layer is not None)
        return layers

    def media_type(self) -> str:
        """Return the overridden manifest media type, else the base's."""
        if self._media_type is not None:
            return self._media_type
        return self._base.media_type()

    def size(self) -> int:
        """Return the size of the new raw manifest."""
        return len(self._compute().raw_manifest)

    def config_name(self) -> Hash:
        """Return the digest of the new raw config."""
        return self._compute().manifest.config.digest

    def config_file(self) -> ConfigFile:
        """Return the new config (parsed from the raw bytes for an artifact config)."""
        computed = self._compute()
        if computed.config_file is not None:
            return computed.config_file
        return ConfigFile.from_json(computed.raw_config)

    def raw_config_file(self) -> bytes:
        """Return the new config bytes (as Go's ``json.Marshal`` writes them)."""
        return self._compute().raw_config

    def digest(self) -> Hash:
        """Return the sha256 of the new raw manifest."""
        return Hash.of(self._compute().raw_manifest)

    def manifest(self) -> Manifest:
        """Return the new manifest."""
        return self._compute().manifest

    def raw_manifest(self) -> bytes:
        """Return the new manifest bytes (as Go's ``json.Marshal`` writes them)."""
        return self._compute().raw_manifest

    def layer_by_digest(self, digest: Hash) -> Layer:
        """Return the config blob, an appended layer, or the base's layer with ``digest``."""
        computed = self._compute()
        config = computed.manifest.config
        if digest == config.digest:
            return StaticLayer(computed.raw_config, config.media_type)
        layer = computed.by_digest.get(digest)
        if layer is not None:
            return layer
        return self._base.layer_by_digest(digest)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        """Return the appended layer or the base's layer whose diff ID is ``diff_id``."""
        layer = self._compute().by_diff_id.get(diff_id)
        if layer is not None:
            return layer
        return self._base.layer_by_diff_id(diff_id)


if TYPE_CHECKING:
    from containerregistry.v1 import Image as _ImageProtocol

    def _satisfies_image_protocol(image: MutatedImage) -> _ImageProtocol:
        return image
