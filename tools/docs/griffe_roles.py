"""A griffe extension: Sphinx roles in docstrings become Markdown code spans.

The docstrings use ``:class:`Registry``` and ``:func:`~containerregistry.remote.write```
(they read well in ``help()`` and in editors); mkdocstrings renders Markdown, where
those would show as literal ``:class:`` text. The role goes, the name stays as code;
``~`` keeps only the last component, as Sphinx does.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _replace(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2).strip()
    if short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def strip_roles(text: str) -> str:
    """``text`` with every Sphinx cross-reference role turned into a code span."""
    return _ROLE.sub(_replace, text)


class SphinxRolesToCode(griffe.Extension):
    """Rewrite each object's docstring once it has been read."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = strip_roles(obj.docstring.value)
