"""``lazy.record`` behaves as ``dataclasses.dataclass(frozen=True)`` does, side by side."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

import pytest

from containerregistry.lazy import record


def _pair(kw_only: bool) -> tuple[Any, Any]:
    """The same class body as a record and as a frozen dataclass."""

    def body() -> type:
        class Point:
            """A point."""

            x: int
            y: int = 0
            tags: dict[str, str] = dataclasses.field(default_factory=dict)
            note: str = dataclasses.field(default="", compare=False, repr=False)
            seen: int = dataclasses.field(default=0, init=False)

            def __post_init__(self) -> None:
                object.__setattr__(self, "seen", self.x + self.y)

        return Point

    made = record(kw_only=kw_only)(body())
    real = dataclasses.dataclass(frozen=True, kw_only=kw_only)(body())
    return made, real


@pytest.mark.parametrize("kw_only", [False, True])
def test_construction_repr_equality_and_hash_match_dataclasses(kw_only: bool) -> None:
    made, real = _pair(kw_only)
    for cls in (made, real):
        point = cls(x=1, y=2, note="n")
        assert (point.x, point.y, point.tags, point.note, point.seen) == (1, 2, {}, "n", 3)
        assert point == cls(x=1, y=2, note="other")  # note is not compared
        assert point != cls(x=1, y=3)
        assert point.__eq__(object()) is NotImplemented
        assert cls(x=1).tags is not cls(x=1).tags  # a new dict each time
    assert repr(made(x=1, y=2, note="n")) == repr(real(x=1, y=2, note="n")).replace(
        real.__qualname__, made.__qualname__
    )
    assert repr(made(x=1)) == f"{made.__qualname__}(x=1, y=0, tags={{}}, seen=1)"
    assert made(x=1) != real(x=1)  # another class, as two dataclasses are


def test_hash_follows_the_compared_fields() -> None:
    @record
    class Key:
        name: str
        weight: int = dataclasses.field(default=0, compare=False)

    assert hash(Key("a", 1)) == hash(Key("a", 2)) == hash(("a",))
    assert len({Key("a", 1), Key("a", 2), Key("b")}) == 2
    made, _ = _pair(False)
    with pytest.raises(TypeError, match="unhashable"):
        hash(made(x=1))  # a dict field, as a frozen dataclass's


@pytest.mark.parametrize("kw_only", [False, True])
def test_arguments_are_checked_as_dataclasses_checks_them(kw_only: bool) -> None:
    made, real = _pair(kw_only)
    for cls in (made, real):
        with pytest.raises(TypeError, match="missing 1 required"):
            cls()
        with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
            cls(x=1, z=2)
        with pytest.raises(TypeError, match="unexpected keyword argument 'seen'"):
            cls(x=1, seen=2)  # init=False
        if kw_only:
            with pytest.raises(TypeError, match="positional argument"):
                cls(1)
        else:
            assert cls(1, 2).y == 2


def test_instances_are_frozen() -> None:
    made, real = _pair(False)
    for cls in (made, real):
        point = cls(x=1)
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
            point.x = 2
        with pytest.raises(dataclasses.FrozenInstanceError):
            point.other = 2  # not a field: still refused
        with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'y'"):
            del point.y
        assert point.x == 1
        assert not hasattr(point, "other")


def test_dataclass_functions_work_on_records() -> None:
    made, _ = _pair(True)
    point = made(x=1, y=2, tags={"a": "b"})
    assert dataclasses.is_dataclass(point)
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y", "tags", "note", "seen"]
    moved = dataclasses.replace(point, y=5)
    assert (moved.x, moved.y, moved.seen, point.y) == (1, 5, 6, 2)
    assert dataclasses.asdict(point) == {"x": 1, "y": 2, "tags": {"a": "b"}, "note": "", "seen": 3}
    assert copy.deepcopy(point) == point
    assert copy.copy(point) == point


@record(kw_only=True)
class _Pickled:
    name: str
    size: int = 0


def test_records_pickle() -> None:
    item = _Pickled(name="a", size=3)
    assert pickle.loads(pickle.dumps(item)) == item


def test_methods_written_in_the_body_are_kept() -> None:
    @record
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"Named<{self.name}>"

        def __hash__(self) -> int:
            return 7

    assert repr(Named("a")) == "Named<a>"
    assert hash(Named("a")) == 7
    assert Named("a") == Named("a")


def test_unsupported_uses_fail_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="cannot define __setattr__"):

        @record
        class Settable:
            x: int

            def __setattr__(self, name: str, value: object) -> None:
                object.__setattr__(self, name, value)

    @dataclasses.dataclass(frozen=True)
    class Base:
        x: int

    with pytest.raises(TypeError, match="cannot subclass a dataclass"):

        @record
        class Child(Base):
            y: int = 0


def test_recursive_repr_does_not_loop() -> None:
    @record
    class Box:
        items: list[object]

    box = Box([])
    box.items.append(box)
    assert repr(box) == f"{Box.__qualname__}(items=[...])"
