"""``rebase``: swap the base an image was built on for another."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from containerregistry import empty
from containerregistry.mutate._append import Addendum
from containerregistry.mutate._errors import NotBasedOnError
from containerregistry.mutate._image import MutatedImage
from containerregistry.v1 import ConfigFile, History

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer


def _addenda(
    history: Sequence[History],
    layers: Sequence[Layer],
    *,
    skip_history: int,
    skip_layers: int,
) -> list[Addendum]:
    """Pair history entries with layers, leaving out the first ones (the old base).

    History is a superset of the layers: entries marked ``empty_layer`` (ENV,
    LABEL...) have no layer, so the two lists are walked side by side, taking a
    layer only for a non-empty entry. An entry is kept if it lies past the first
    ``skip_history`` entries or its layer lies past the first ``skip_layers``
    layers. Layers left over when history runs out are kept without history.
    """
    addenda: list[Addendum] = []
    taken = 0
    for position, entry in enumerate(history):
        layer: Layer | None = None
        if not entry.empty_layer and taken < len(layers):
            layer = layers[taken]
            taken += 1
        elif not entry.empty_layer:
            continue  # history claims more layers than there are: nothing to pair it with
        keep = position >= skip_history or (layer is not None and taken > skip_layers)
        if keep:
            addenda.append(Addendum(layer, history=entry))
    for position in range(taken, len(layers)):
        if position >= skip_layers:
            addenda.append(Addendum(layers[position]))
    return addenda


def rebase(original: Image, old_base: Image, new_base: Image) -> Image:
    """Return ``original`` rebuilt on ``new_base`` in place of ``old_base``.

    The result starts from the empty image with ``original``'s run config
    (``config``) and the architecture, OS and OS version of ``new_base``; then
    come ``new_base``'s layers and history, then ``original``'s layers and history
    above the old base. ``created`` is the zero time, as crane writes it.

    Raises :class:`NotBasedOnError` unless ``old_base``'s layer digests are the
    first layer digests of ``original``. Reads the three configs and layer lists
    now; layer blobs are not read.
    """
    original_layers = original.layers()
    old_layers = old_base.layers()
    if len(old_layers) > len(original_layers):
        raise NotBasedOnError(
            f"the image has {len(original_layers)} layers, fewer than the old base's "
            f"{len(old_layers)}: it is not built on that base; check the --old_base image"
        )
    for position, (old, mine) in enumerate(zip(old_layers, original_layers, strict=False)):
        if old.digest() != mine.digest():
            raise NotBasedOnError(
                f"layer {position} of the image is {mine.digest()} but the old base has "
                f"{old.digest()}: the image is not built on that base; check the --old_base image"
            )
    original_config = original.config_file()
    old_config = old_base.config_file()
    new_config = new_base.config_file()
    start = ConfigFile(
        architecture=new_config.architecture,
        os=new_config.os,
        os_version=new_config.os_version,
        config=original_config.config,
    )
    addenda = _addenda(new_config.history, new_base.layers(), skip_history=0, skip_layers=0)
    addenda += _addenda(
        original_config.history,
        original_layers,
        skip_history=len(old_config.history),
        skip_layers=len(old_layers),
    )
    return MutatedImage(empty.image, config_file=start, adds=addenda)
