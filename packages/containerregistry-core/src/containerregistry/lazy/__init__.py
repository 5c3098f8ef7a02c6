"""Packages whose public names load on first use.

A package's ``__init__`` maps each public name to the private module defining it
and calls :func:`attach`; importing the package then costs almost nothing, and a
command that uses one name imports only that name's module. Type checkers see the
real imports, which the package keeps under ``TYPE_CHECKING``: that block is the one
list a person edits; ``tools/gen-lazy-inits`` writes the mapping and ``__all__``
from it (a test checks they are current).
"""

from containerregistry.lazy._attach import attach

__all__ = ["attach"]
