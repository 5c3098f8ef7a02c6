"""``annotations`` and ``subject`` for images, indexes and raw manifests."""

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from containerregistry.mutate._describe import is_image, is_index
from containerregistry.mutate._errors import MutateError
from containerregistry.mutate._image import MutatedImage
from containerregistry.mutate._index import MutatedIndex
from containerregistry.v1 import Descriptor, go_json_dumps

_T = TypeVar("_T")


class RawManifestAnnotations:
    """Any object with ``raw_manifest()``, whose manifest gets annotations merged in.

    The manifest is decoded as a generic JSON object and re-encoded as Go encodes
    a ``map[string]interface{}`` (keys sorted).
    """

    def __init__(self, base: Any, annotations: Mapping[str, str]) -> None:
        self._base = base
        self._annotations = dict(annotations)

    def raw_manifest(self) -> bytes:
        """Return the base's manifest with the annotations merged into ``annotations``."""
        document = json.loads(self._base.raw_manifest())
        if not isinstance(document, dict):
            raise MutateError("cannot annotate the manifest: it is not a JSON object")
        existing = document.get("annotations")
        if existing is None:
            document["annotations"] = dict(self._annotations)
        elif isinstance(existing, dict):
            existing.update(self._annotations)
        else:
            raise MutateError(
                f"cannot annotate the manifest: its annotations are a {type(existing).__name__}, "
                "not an object"
            )
        return go_json_dumps(document)


def annotations(target: _T, mapping: Mapping[str, str]) -> _T:
    """Return ``target`` (an image or index) with ``mapping`` merged into its annotations.

    Existing annotations with other keys are kept; the same keys are replaced. Any
    other object with ``raw_manifest()`` is wrapped so that its raw manifest gets
    the annotations. Nothing is read until the result is used.
    """
    result: Any
    if is_image(target):
        result = MutatedImage(target, annotations=mapping)  # type: ignore[arg-type]
    elif is_index(target):
        result = MutatedIndex(target, annotations=mapping)  # type: ignore[arg-type]
    elif callable(getattr(target, "raw_manifest", None)):
        result = RawManifestAnnotations(target, mapping)
    else:
        raise MutateError(
            f"cannot annotate a {type(target).__name__}: want an image, an index, "
            "or an object with raw_manifest()"
        )
    return result  # type: ignore[no-any-return]


def subject(target: _T, descriptor: Descriptor | None) -> _T:
    """Return ``target`` (an image or index) whose manifest refers to ``descriptor``.

    The ``subject`` field links a signature or attestation to what it is about;
    None removes it.
    """
    result: Any
    if is_image(target):
        result = MutatedImage(target, subject=descriptor)  # type: ignore[arg-type]
    elif is_index(target):
        result = MutatedIndex(target, subject=descriptor)  # type: ignore[arg-type]
    else:
        raise MutateError(
            f"cannot set the subject of a {type(target).__name__}: want an image or index"
        )
    return result  # type: ignore[no-any-return]
