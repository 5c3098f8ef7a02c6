"""Matchers: predicates that select descriptors, e.g. children of an index.

Each function returns a ``Matcher``, a callable ``Descriptor -> bool``, for use
with index mutations and layout replacements.
"""

from containerregistry.match._matchers import (
    REF_NAME_ANNOTATION,
    Matcher,
    annotation,
    digests,
    media_types,
    name,
    platforms,
)

__all__ = [
    "REF_NAME_ANNOTATION",
    "Matcher",
    "annotation",
    "digests",
    "media_types",
    "name",
    "platforms",
]
