"""``record``: a frozen dataclass that costs a third as much to define.

``@dataclasses.dataclass(frozen=True)`` writes the source of six methods for each
class and compiles each with ``exec``: about 1 ms a class, some 15 ms of every
command's start when sixteen of them load. :func:`record` lets ``dataclasses``
compile only ``__init__`` (the one method whose signature is the class's own) and
gives every record the same five shared methods, which read the class's fields:
``__repr__``, ``__eq__``, ``__hash__``, and a ``__setattr__``/``__delattr__`` that
raise :class:`dataclasses.FrozenInstanceError` once a field is set.

What a caller sees is a frozen dataclass: ``dataclasses.fields``, ``replace`` and
``asdict`` work; ``repr``, equality and hashing follow each field's ``repr``,
``compare`` and ``hash`` flags; assigning or deleting any attribute of an
instance raises. A ``__repr__``, ``__eq__`` or ``__hash__`` written in the class body
is kept, as ``dataclasses`` keeps it. Not supported (use ``dataclasses.dataclass``):
``order``, ``slots``, ``unsafe_hash``, and subclassing one record with another.

Making an instance costs about twice as much (1.7 us against 0.9 us for six fields:
each field is set through the shared ``__setattr__``), so records made by the
thousand in one pass (a tar header per entry, a registry's per-request records)
stay plain frozen dataclasses.
"""

from __future__ import annotations

import dataclasses
import reprlib
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_options: object) -> Callable[[Any], Any]:
        return lambda decorated: decorated


_T = TypeVar("_T", bound=type)

#: Per record class: (the names of its fields, those repr shows, those compared,
#: those hashed), worked out once from ``dataclasses.fields``.
_SPEC = "__record_fields__"


@reprlib.recursive_repr()
def _repr(self: object) -> str:
    shown = getattr(type(self), _SPEC)[1]
    inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
    return f"{type(self).__qualname__}({inner})"


def _eq(self: object, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    compared = getattr(type(self), _SPEC)[2]
    # Tuples, as dataclasses compares: an element that is the same object is equal.
    mine: tuple[object, ...] = tuple(getattr(self, name) for name in compared)
    return mine == tuple(getattr(other, name) for name in compared)


def _hash(self: object) -> int:
    hashed = getattr(type(self), _SPEC)[3]
    return hash(tuple(getattr(self, name) for name in hashed))


def _setattr(self: object, name: str, value: object) -> None:
    # dataclasses' __init__ sets each field once, through here; nothing else may.
    if name in getattr(type(self), _SPEC)[0] and name not in self.__dict__:
        object.__setattr__(self, name, value)
        return
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: object, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _make_record(cls: _T, kw_only: bool) -> _T:
    for forbidden in ("__setattr__", "__delattr__"):
        if forbidden in cls.__dict__:
            raise TypeError(f"record {cls.__qualname__} cannot define {forbidden}")
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"record {cls.__qualname__} cannot subclass a dataclass")
    explicit_hash = "__hash__" in cls.__dict__ and cls.__dict__["__hash__"] is not None
    done = cast("_T", dataclasses.dataclass(cls, repr=False, eq=False, kw_only=kw_only))
    fields = dataclasses.fields(done)
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    shown = tuple(f.name for f in fields if f.repr)
    setattr(done, _SPEC, (frozenset(f.name for f in fields), shown, compared, hashed))
    shared: tuple[tuple[str, Callable[..., object]], ...] = (("__repr__", _repr), ("__eq__", _eq))
    for name, method in shared:
        if name not in cls.__dict__:
            setattr(done, name, method)
    if not explicit_hash:
        done.__hash__ = _hash  # type: ignore[assignment]
    done.__setattr__ = _setattr  # type: ignore[assignment]
    done.__delattr__ = _delattr  # type: ignore[assignment]
    return done


@overload
def record(cls: _T, /) -> _T: ...


@overload
def record(*, kw_only: bool = False) -> Callable[[_T], _T]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: _T | None = None, /, *, kw_only: bool = False) -> _T | Callable[[_T], _T]:
    """Make ``cls`` a frozen dataclass (``@record`` or ``@record(kw_only=True)``).

    The same as ``@dataclasses.dataclass(frozen=True, kw_only=kw_only)`` for every
    use in this project (see the module's notes for what it does not support),
    defined in a third of the time. ``kw_only`` defaults to False.
    """
    if cls is None:
        return lambda inner: _make_record(inner, kw_only)
    return _make_record(cls, kw_only)
