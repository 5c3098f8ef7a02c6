"""Build hook shared by every distribution: ``packages/*/_checkout_build.py`` link here.

A wheel built straight from a checkout's ``packages/<dist>`` directory
(``pip install ./packages/containerregistry-crane``) names each sibling it depends
on by path instead of by version (``containerregistry-core @
file:///…/packages/containerregistry-core``), so pip builds and installs them from
the same checkout instead of looking for unpublished names on an index. Wheels built
from an sdist (``nox -s build``, any release) have no siblings beside them and keep
the exact version pins. Editable builds keep them too: pip refuses ``-e DIR`` beside
``NAME @ file://DIR``, and the noxfile installs every directory editable at once.

The same file is each distribution's build backend (``backend-path = ["."]``):
hatchling's, less ``prepare_metadata_for_build_wheel``, which writes METADATA
without running build hooks (hatchling leaves it out under pip already; other
frontends such as uv would call it). Without it the frontend reads the metadata
from the built wheel, so what it resolves is what gets installed.
"""

from __future__ import annotations

import pathlib
from typing import Any

from hatchling import build as _hatchling
from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from packaging.requirements import Requirement

#: The PEP 517 hooks taken from hatchling as they are (whichever it defines).
BACKEND_HOOKS = (
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
)
for _hook in BACKEND_HOOKS:
    if hasattr(_hatchling, _hook):
        globals()[_hook] = getattr(_hatchling, _hook)


class CheckoutDependencies(BuildHookInterface):  # type: ignore[type-arg]
    """Names each dependency that is a sibling directory by its path."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Name each sibling dependency by path (standard wheels built in a checkout only).

        The metadata's requirement lists are edited in place: the wheel's METADATA is
        written from them after this hook, and pip cannot merge ``NAME==V`` with
        ``NAME @ URL`` when ``NAME`` is on no index.
        """
        if self.target_name != "wheel" or version != "standard":
            return
        siblings = pathlib.Path(self.root).resolve().parent
        core = self.metadata.core
        for requirements in (core.dependencies, *core.optional_dependencies.values()):
            for index, raw in enumerate(requirements):
                requirement = Requirement(raw)
                sibling = siblings / requirement.name
                if (sibling / "pyproject.toml").is_file():
                    requirements[index] = by_path(requirement, sibling)


def by_path(requirement: Requirement, directory: pathlib.Path) -> str:
    """``requirement`` as a direct reference to ``directory``, extras and marker kept."""
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f" ; {requirement.marker}" if requirement.marker else ""
    return f"{requirement.name}{extras} @ {directory.as_uri()}{marker}"
