"""JSON bytes exactly as Go's ``encoding/json`` writes them.

Digests of configs and manifests depend on every byte, so this module reproduces
what ``json.Marshal`` does to the values ggcr serializes:

* compact output, no whitespace;
* struct fields in declaration order (a :class:`GoStruct` or a model object),
  map keys sorted (a plain ``dict``);
* ``<``, ``>``, ``&``, U+2028 and U+2029 escaped as ``\\u003c`` and so on, other
  non-ASCII characters written as raw UTF-8, control characters escaped (``\\n``,
  ``\\b``, ``\\u001f``...) as Go 1.22 and later do, lone surrogates replaced by
  U+FFFD;
* ``bytes`` as standard base64 (Go's ``[]byte``), ``None`` as ``null``.

The standard library's C encoder does the escaping of quotes, backslashes and
control characters exactly as Go does; the few HTML-safe escapes are applied after.
``json`` and ``base64`` are imported on first use to keep ``import
containerregistry.v1`` cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from containerregistry.v1._hash import Hash

__all__ = ["GoStruct", "go_json_dumps", "go_quote"]

#: Characters Go escapes even though JSON does not require it: ``<>&`` so that the
#: output is safe inside HTML, U+2028/U+2029 because JavaScript treats them as
#: line terminators.
_HTML_ESCAPES = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)

_dumps: Callable[[Any], str] | None = None


class GoStruct(dict[str, Any]):
    """A JSON object whose keys keep their insertion order, like a Go struct.

    A plain ``dict`` is encoded as a Go map (keys sorted); wrap a value in
    ``GoStruct`` where Go would serialize a struct, e.g. the entries of a
    ``docker save`` ``manifest.json`` (``Config``, ``RepoTags``, ``Layers``).
    Dropping empty ``omitempty`` fields is the caller's job.
    """

    __slots__ = ()


def _compact_dumps() -> Callable[[Any], str]:
    global _dumps
    if _dumps is None:
        import json

        encoder = json.JSONEncoder(
            ensure_ascii=False,
            separators=(",", ":"),
            check_circular=False,
            allow_nan=False,
        )
        _dumps = encoder.encode
    return _dumps


def _finish(text: str) -> bytes:
    """Apply Go's extra escapes to compact JSON text and encode it as UTF-8."""
    if not text.isascii():
        for raw, escaped in _HTML_ESCAPES[3:]:
            if raw in text:
                text = text.replace(raw, escaped)
    for raw, escaped in _HTML_ESCAPES[:3]:
        if raw in text:
            text = text.replace(raw, escaped)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (from "\ud800" escapes in parsed JSON) are invalid UTF-8;
        # Go writes U+FFFD in their place.
        fixed = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
        return fixed.encode("utf-8")


def dumps_tree(tree: Any) -> bytes:
    """Encode a tree that is already in Go order (maps sorted, structs ordered).

    The model classes build such trees; they contain only dict, list, str, int,
    bool and None.
    """
    return _finish(_compact_dumps()(tree))


def _normalize(value: Any) -> Any:
    """Turn an arbitrary value tree into one :func:`dumps_tree` encodes as Go would."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Hash):
        return str(value)
    if isinstance(value, GoStruct):
        return {str(key): _normalize(item) for key, item in value.items()}
    if isinstance(value, Mapping):
        items = [
            (key if isinstance(key, str) else _map_key(key), item) for key, item in value.items()
        ]
        items.sort(key=lambda pair: pair[0])
        return {key: _normalize(item) for key, item in items}
    if isinstance(value, (list, tuple)):
        return [_normalize(item) for item in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        import base64

        return base64.b64encode(bytes(value)).decode("ascii")
    tree = getattr(value, "_json_tree", None)
    if tree is not None:
        return tree()
    if isinstance(value, float):
        raise TypeError(
            f"cannot encode float {value!r} as Go JSON: Go's float formatting is not "
            "reproduced; use an int or a str"
        )
    if isinstance(value, (set, frozenset)):
        # Go's map[string]struct{} (e.g. ExposedPorts): sorted keys, empty objects.
        return {key: {} for key in sorted(value)}
    raise TypeError(f"cannot encode {type(value).__name__} as Go JSON")


def _map_key(key: Any) -> str:
    if isinstance(key, (int, Hash)) and not isinstance(key, bool):
        return str(key)
    raise TypeError(f"cannot use {type(key).__name__} as a Go JSON map key")


def go_json_dumps(obj: Any) -> bytes:
    """Serialize ``obj`` to the bytes Go's ``json.Marshal`` would produce.

    ``obj`` is a tree of ``dict`` (a Go map: keys sorted), :class:`GoStruct` (a Go
    struct: keys in insertion order), ``list``/``tuple``, ``str``, ``int``,
    ``bool``, ``None``, ``bytes`` (base64, as Go's ``[]byte``), ``set``/``frozenset``
    of strings (Go's ``map[string]struct{}``), :class:`~containerregistry.v1.Hash`
    (its string) and the model objects of :mod:`containerregistry.v1` (their
    ``to_json`` form). Floats are refused (``TypeError``) because Go's float
    formatting is not reproduced.
    """
    return dumps_tree(_normalize(obj))


def go_quote(text: str) -> bytes:
    """Return ``text`` as a Go JSON string literal, quotes included."""
    return dumps_tree(text)
