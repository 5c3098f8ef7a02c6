"""``append`` and ``append_layers``: new layers (or empty history steps) on top of an image."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from containerregistry import types
from containerregistry.lazy import record
from containerregistry.mutate._errors import MutateError
from containerregistry.mutate._image import MutatedImage
from containerregistry.v1 import History

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer

#: Layer types that say only "a compressed tar": a layer made from a file or a
#: stream carries one of them whatever base it will go on.
_GENERIC_LAYER_TYPES = frozenset({types.DOCKER_LAYER, types.OCI_LAYER, types.OCI_LAYER_ZSTD})


@record
class Addendum:
    """One step to append: a layer and what to record about it.

    Attributes:
        layer: the layer, or None for a step that adds no layer (then ``history``
            must say ``empty_layer=True``).
        history: the history entry to record (default None: ``History()``, which
            is written ``{"created":"0001-01-01T00:00:00Z"}``).
        urls: URLs to put in the layer's descriptor, replacing the layer's own
            (default None: keep them).
        annotations: annotations for the layer's descriptor, replacing the
            layer's own (default None: keep them).
        media_type: media type for the layer's descriptor (default None: the
            layer's own).
    """

    layer: Layer | None
    history: History | None = None
    urls: Sequence[str] | None = None
    annotations: Mapping[str, str] | None = None
    media_type: str | None = None


def layer_media_type_for(base_media_type: str, layer_media_type: str) -> str:
    """Return the media type ``crane append`` gives a layer appended to a base of this type.

    zstd layers are always ``OCI_LAYER_ZSTD`` (even on a Docker base); other
    gzip layers are ``OCI_LAYER`` on an OCI manifest and ``DOCKER_LAYER`` otherwise.
    Any other layer type (uncompressed, foreign, non-distributable) is kept.
    """
    if layer_media_type not in _GENERIC_LAYER_TYPES:
        return layer_media_type
    if layer_media_type == types.OCI_LAYER_ZSTD:
        return types.OCI_LAYER_ZSTD
    if base_media_type == types.OCI_MANIFEST_SCHEMA1:
        return types.OCI_LAYER
    return types.DOCKER_LAYER


def append(base: Image, *addenda: Addendum, follow_base: bool = False) -> Image:
    """Return ``base`` with ``addenda`` on top, each adding one history entry.

    Each addendum with a layer adds a diff_id to the config and a descriptor to
    the manifest (the layer's own, overridden by the addendum's fields); one with
    no layer adds only its history entry. The config is re-serialized as Go
    does; ``created`` is not touched. Nothing is read until the result is used.
    With no addenda, ``base`` itself is returned.

    ``follow_base`` (default False, as ggcr's ``mutate.Append``: each layer keeps
    its own media type): when True, an addendum without ``media_type`` whose
    layer has a plain gzip or zstd type gets the type ``crane append`` would
    give it on this base (see :func:`layer_media_type_for`); this reads the
    base's media type.

    Raises :class:`MutateError` for an addendum with neither a layer nor an
    ``empty_layer`` history entry.
    """
    if not addenda:
        return base
    for position, add in enumerate(addenda):
        if add.layer is None and not (add.history is not None and add.history.empty_layer):
            raise MutateError(
                f"addendum {position} has no layer: give it a layer, or a history "
                "entry with empty_layer=True to record a step that added none"
            )
    if follow_base:
        base_type = base.media_type()
        adjusted = []
        for add in addenda:
            if add.layer is not None and not add.media_type:
                wanted = layer_media_type_for(base_type, add.layer.media_type())
                if wanted != add.layer.media_type():
                    add = dataclasses.replace(add, media_type=wanted)
            adjusted.append(add)
        addenda = tuple(adjusted)
    return MutatedImage(base, adds=addenda)


def append_layers(base: Image, *layers: Layer, follow_base: bool = False) -> Image:
    """Return ``base`` with ``layers`` on top, each with an empty history entry.

    The same as ``append(base, *(Addendum(layer) for layer in layers))``;
    ``follow_base`` as in :func:`append` (default False).
    """
    return append(base, *(Addendum(layer) for layer in layers), follow_base=follow_base)
