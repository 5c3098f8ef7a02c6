"""Each lazy package keeps one list of its names: the imports under TYPE_CHECKING.

``tools/gen-lazy-inits`` writes ``_MODULE_OF`` and ``__all__`` from them; these
tests fail when someone edits one list by hand, and load every name for real.
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import subprocess
import sys
from importlib.machinery import SourceFileLoader

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "gen-lazy-inits"
_SPEC = importlib.util.spec_from_loader(
    "gen_lazy_inits", SourceFileLoader("gen_lazy_inits", str(TOOL))
)
assert _SPEC is not None
generator = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(generator)  # type: ignore[union-attr]
PACKAGES = [package for package, _ in generator.lazy_inits()]


def test_the_generated_lists_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(TOOL), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_every_lazy_package_is_kept() -> None:
    assert len(PACKAGES) >= 15
    for package in (
        "containerregistry.crane",
        "containerregistry.transport",
        "containerregistry.remote",
    ):
        assert package in PACKAGES


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_loads_from_the_module_its_import_names(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        where = module._MODULE_OF.get(name)
        if where is None:
            continue  # defined in the __init__ itself
        submodule, _, original = where.partition(":")
        defined = importlib.import_module(f"{package}.{submodule}")
        assert value is getattr(defined, original or name)


def test_a_hand_edit_of_one_list_is_caught(tmp_path: pathlib.Path) -> None:
    kcrane = ROOT / "packages/containerregistry-kcrane/src/containerregistry/kcrane"
    text = (kcrane / "__init__.py").read_text()
    edited = text.replace('"KcraneKeychain": "_keychain"', '"KcraneKeychain": "_elsewhere"')
    assert edited != text
    assert generator.render("containerregistry.kcrane", edited) == text
