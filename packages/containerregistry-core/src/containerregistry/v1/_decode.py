"""Reading JSON the way Go's ``encoding/json`` fills a struct.

Go's decoder ignores unknown fields, matches field names case-insensitively when
there is no exact match, leaves a field at its zero value for ``null``, reads only
the first value of the input, and fails on a value of the wrong type. The helpers
here do the same and name the offending field in the error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from containerregistry.v1._errors import ParseError
from containerregistry.v1._hash import BadHashError, Hash

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_WHITESPACE = " \t\n\r"

_decoder: Any = None


def _json_decoder() -> Any:
    global _decoder
    if _decoder is None:
        import json

        def reject_constant(name: str) -> NoReturn:
            # Python accepts NaN and Infinity; JSON (and Go) do not.
            raise ValueError(f"invalid literal {name}")

        _decoder = json.JSONDecoder(parse_constant=reject_constant)
    return _decoder


def kind(value: object) -> str:
    """Name the JSON type of a decoded value, as Go's error messages do."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def fix_text(text: str) -> str:
    """Replace lone surrogates (from ``\\ud800``-style escapes) by U+FFFD, as Go does."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


class Reader:
    """Field converters that raise ``error`` naming ``what`` and the field path."""

    __slots__ = ("error", "what")

    def __init__(self, what: str, error: type[ParseError]) -> None:
        self.what = what
        self.error = error

    def error_at(self, path: str, message: str) -> ParseError:
        """Return the error to raise for ``message`` about the field at ``path``."""
        where = f" field {path}:" if path else ""
        return self.error(f"cannot parse {self.what}:{where} {message}")

    def load(self, data: bytes | bytearray | memoryview | str) -> dict[str, Any]:
        """Parse the first JSON value of ``data``; it must be an object."""
        if isinstance(data, str):
            text = data
        elif isinstance(data, (bytes, bytearray, memoryview)):
            # Go substitutes U+FFFD for invalid UTF-8 inside strings.
            text = bytes(data).decode("utf-8", "replace")
        else:
            raise TypeError(
                f"cannot parse {self.what} from {type(data).__name__}: want bytes or str"
            )
        start = 0
        while start < len(text) and text[start] in _WHITESPACE:
            start += 1
        if start == len(text):
            raise self.error_at("", "the document is empty; want a JSON object")
        try:
            value, _ = _json_decoder().raw_decode(text, start)
        except ValueError as exc:
            raise self.error_at("", f"invalid JSON: {exc}") from None
        return self.object(value, "")

    def pick(
        self, obj: Mapping[str, Any], names: frozenset[str], fold: Mapping[str, str]
    ) -> dict[str, Any]:
        """Return the known fields of ``obj`` by their canonical JSON names."""
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if key in names:
                out[key] = value
            else:
                name = fold.get(key.lower())
                if name is not None:
                    out[name] = value
        return out

    def object(self, value: Any, path: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        raise self.error_at(path, f"want a JSON object, got {kind(value)}")

    def optional_object(self, value: Any, path: str) -> dict[str, Any] | None:
        if value is None:
            return None
        return self.object(value, path)

    def string(self, value: Any, path: str) -> str:
        if isinstance(value, str):
            return fix_text(value)
        if value is None:
            return ""
        raise self.error_at(path, f"want a string, got {kind(value)}")

    def boolean(self, value: Any, path: str) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        raise self.error_at(path, f"want true or false, got {kind(value)}")

    def int64(self, value: Any, path: str) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            if _INT64_MIN <= value <= _INT64_MAX:
                return value
            raise self.error_at(path, f"number {value} overflows a 64-bit integer")
        if value is None:
            return 0
        raise self.error_at(path, f"want an integer, got {kind(value)}")

    def strings(self, value: Any, path: str) -> tuple[str, ...] | None:
        if value is None:
            return None
        if isinstance(value, list):
            return tuple(self.string(item, f"{path}[{i}]") for i, item in enumerate(value))
        raise self.error_at(path, f"want an array of strings, got {kind(value)}")

    def string_map(self, value: Any, path: str) -> dict[str, str] | None:
        if value is None:
            return None
        if isinstance(value, dict):
            return {
                fix_text(key): self.string(item, f"{path}[{key!r}]") for key, item in value.items()
            }
        raise self.error_at(path, f"want an object of strings, got {kind(value)}")

    def string_set(self, value: Any, path: str) -> frozenset[str] | None:
        """Read Go's ``map[string]struct{}``: keys matter, values must be objects."""
        if value is None:
            return None
        if isinstance(value, dict):
            for key, item in value.items():
                if item is not None and not isinstance(item, dict):
                    raise self.error_at(f"{path}[{key!r}]", f"want {{}}, got {kind(item)}")
            return frozenset(fix_text(key) for key in value)
        raise self.error_at(path, f"want an object, got {kind(value)}")

    def digest(self, value: Any, path: str) -> Hash:
        if isinstance(value, str):
            try:
                return Hash.parse(value)
            except BadHashError as exc:
                raise self.error_at(path, str(exc)) from None
        if value is None:
            raise self.error_at(path, "missing digest; want sha256:<64 hex characters>")
        raise self.error_at(path, f"want a digest string, got {kind(value)}")
