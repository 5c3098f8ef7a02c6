"""``Platform``: the operating system and CPU an image runs on."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from containerregistry.lazy import record
from containerregistry.v1._errors import PlatformParseError

_FIELDS = ("architecture", "os", "os.version", "os.features", "variant", "features")
_NAMES = frozenset(_FIELDS)
_FOLD = {name.lower(): name for name in _FIELDS}


def as_tuple(value: object) -> tuple[Any, ...]:
    """Coerce an omitempty list (None, list, tuple, any iterable) to a tuple."""
    if value is None:
        return ()
    if isinstance(value, tuple):
        return value
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"want a sequence, got {type(value).__name__} {value!r}")
    return tuple(value)


def coerce_tuples(instance: object, *names: str) -> None:
    """Replace list (or None) values of omitempty fields of a frozen dataclass by tuples.

    Callers may pass lists; storing tuples keeps instances immutable and makes
    ``==`` independent of the sequence type used.
    """
    for name in names:
        value = getattr(instance, name)
        if type(value) is not tuple:
            object.__setattr__(instance, name, as_tuple(value))


@record(kw_only=True)
class Platform:
    """The target of an image: ``os/architecture[/variant][:os_version]`` plus features.

    Attributes (all default to empty):
        architecture: CPU architecture, e.g. ``amd64``, ``arm64``.
        os: operating system, e.g. ``linux``, ``windows``.
        os_version: OS version, e.g. ``10.0.17763.1879`` (Windows).
        os_features: required OS features, e.g. ``("win32k",)``.
        variant: CPU variant, e.g. ``v8`` for ``arm64``.
        features: required CPU features.
    """

    architecture: str = ""
    os: str = ""
    os_version: str = ""
    os_features: Sequence[str] = ()
    variant: str = ""
    features: Sequence[str] = ()

    def __post_init__(self) -> None:
        coerce_tuples(self, "os_features", "features")

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os[/arch[/variant]][:osversion]`` as crane's ``--platform`` does.

        The form ``str(p)`` writes, with `` (osfeatures=a,b)`` and `` (features=c)``
        suffixes, is read back too. Raises :class:`PlatformParseError` for more than
        two slashes, more than one colon or an unknown parenthetical.
        """
        main, colon, os_version = text.partition(":")
        if ":" in os_version:
            raise PlatformParseError(
                f"cannot parse platform {text!r}: more than one ':'; "
                "want os/arch[/variant][:osversion]"
            )
        words = main.split(" ")
        if len(words) > 3:
            raise PlatformParseError(f"cannot parse platform {text!r}: too many spaces")
        os_features: tuple[str, ...] = ()
        features: tuple[str, ...] = ()
        for word in words[1:]:
            if word.startswith("(osfeatures=") and word.endswith(")"):
                os_features = tuple(word[len("(osfeatures=") : -1].split(","))
            elif word.startswith("(features=") and word.endswith(")"):
                features = tuple(word[len("(features=") : -1].split(","))
            else:
                raise PlatformParseError(
                    f"cannot parse platform {text!r}: unknown parenthetical {word!r}; "
                    "want (osfeatures=...) or (features=...)"
                )
        parts = words[0].split("/")
        if len(parts) > 3:
            raise PlatformParseError(
                f"cannot parse platform {text!r}: too many slashes; "
                "want os/arch[/variant][:osversion]"
            )
        return cls(
            os=parts[0],
            architecture=parts[1] if len(parts) > 1 else "",
            variant=parts[2] if len(parts) > 2 else "",
            os_version=os_version if colon else "",
            os_features=os_features,
            features=features,
        )

    def __str__(self) -> str:
        """Return ``os[/arch][/variant][:osversion]`` and feature suffixes; ``""`` without os."""
        if not self.os:
            return ""
        text = self.os
        if self.architecture:
            text += "/" + self.architecture
        if self.variant:
            text += "/" + self.variant
        if self.os_version:
            text += ":" + self.os_version
        if self.os_features:
            text += " (osfeatures=" + ",".join(self.os_features) + ")"
        if self.features:
            text += " (features=" + ",".join(self.features) + ")"
        return text

    def equals(self, other: Platform) -> bool:
        """Return whether both describe the same platform; feature order does not matter."""
        return (
            self.os == other.os
            and self.architecture == other.architecture
            and self.variant == other.variant
            and self.os_version == other.os_version
            and sorted(self.os_features) == sorted(other.os_features)
            and sorted(self.features) == sorted(other.features)
        )

    def satisfies(self, spec: Platform) -> bool:
        """Return whether this platform meets the requirements in ``spec``.

        Empty fields of ``spec`` match anything; its feature lists must be subsets
        of this platform's. Unlike :meth:`equals` this is not symmetric.
        """
        for want, have in (
            (spec.os, self.os),
            (spec.architecture, self.architecture),
            (spec.variant, self.variant),
            (spec.os_version, self.os_version),
        ):
            if want and want != have:
                return False
        return set(spec.os_features) <= set(self.os_features) and set(spec.features) <= set(
            self.features
        )

    def _json_tree(self) -> dict[str, Any]:
        tree: dict[str, Any] = {"architecture": self.architecture, "os": self.os}
        if self.os_version:
            tree["os.version"] = self.os_version
        if self.os_features:
            tree["os.features"] = list(self.os_features)
        if self.variant:
            tree["variant"] = self.variant
        if self.features:
            tree["features"] = list(self.features)
        return tree

    def to_json(self) -> bytes:
        """Return the platform as Go's ``encoding/json`` writes ggcr's ``Platform``."""
        from containerregistry.v1._gojson import dumps_tree

        return dumps_tree(self._json_tree())

    @classmethod
    def from_json(cls, data: bytes | str) -> Platform:
        """Parse a platform JSON object; unknown fields are ignored.

        Raises :class:`PlatformParseError` naming the field that could not be read.
        """
        from containerregistry.v1._decode import Reader

        reader = Reader("platform", PlatformParseError)
        return platform_from_object(reader.load(data), "", reader)


def platform_from_object(obj: dict[str, Any], path: str, reader: Any) -> Platform:
    """Build a Platform from a decoded JSON object (``path`` names it in errors)."""
    fields = reader.pick(obj, _NAMES, _FOLD)
    prefix = f"{path}." if path else ""
    get = fields.get
    return Platform(
        architecture=reader.string(get("architecture"), prefix + "architecture"),
        os=reader.string(get("os"), prefix + "os"),
        os_version=reader.string(get("os.version"), prefix + "os.version"),
        os_features=reader.strings(get("os.features"), prefix + "os.features") or (),
        variant=reader.string(get("variant"), prefix + "variant"),
        features=reader.strings(get("features"), prefix + "features") or (),
    )
