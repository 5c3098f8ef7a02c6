"""Cheap start-up: packages whose public names load on first use, and frozen records.

A package's ``__init__`` maps each public name to the private module defining it
and calls :func:`attach`; importing the package then costs almost nothing, and a
command that uses one name imports only that name's module. Type checkers see the
real imports, which the package keeps under ``TYPE_CHECKING``: that block is the one
list a person edits; ``tools/gen-lazy-inits`` writes the mapping and ``__all__``
from it (a test checks they are current).

Frozen dataclasses are defined with :func:`record`, which compiles one method per
class where ``dataclasses.dataclass(frozen=True)`` compiles six.
"""

from containerregistry.lazy._attach import attach

TYPE_CHECKING = False  # typing itself is not imported: every CLI start comes here
if TYPE_CHECKING:
    from containerregistry.lazy._record import record

__all__ = ["attach", "record"]


def __getattr__(name: str) -> object:
    # ``record`` needs dataclasses; ``attach`` alone stays as light as it was.
    if name == "record":
        from containerregistry.lazy._record import record

        return record
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
