"""Module ``__getattr__`` and ``__dir__`` that import public names on first use."""

from __future__ import annotations

import sys

# Importing typing would cost the packages that use this what laziness saves them;
# mypy treats any constant named TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any


def attach(
    package: str, module_of: Mapping[str, str], names: Iterable[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of ``package`` for lazy public names.

    ``module_of`` maps each public name to the submodule (relative to ``package``)
    that defines it; ``"_module:original"`` takes a differently named attribute.
    A loaded name is stored on the package, so it is looked up once. ``names``
    (the package's ``__all__``) is what ``dir()`` lists beside what is loaded.
    """
    listed = frozenset(names)

    def __getattr__(attribute: str) -> Any:
        where = module_of.get(attribute)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {attribute!r}")
        module, _, original = where.partition(":")
        qualified = f"{package}.{module}"
        # __import__, not importlib.import_module: the importlib package (and the
        # warnings module it loads) would cost ``crane --help`` a millisecond.
        __import__(qualified)
        value = getattr(sys.modules[qualified], original or attribute)
        setattr(sys.modules[package], attribute, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *listed})

    return __getattr__, __dir__
