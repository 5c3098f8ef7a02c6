"""Lazy packages: names load on first use, once, and dir() lists them all."""

from __future__ import annotations

import subprocess
import sys
import types

import pytest

from containerregistry.lazy import attach


@pytest.fixture
def package(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A package ``lazypkg`` whose ``dumps`` comes from json and ``joined`` from os.path.join."""
    module = types.ModuleType("lazypkg")
    module.__path__ = []  # a package, so that lazypkg.<sub> would resolve under it
    monkeypatch.setitem(sys.modules, "lazypkg", module)
    monkeypatch.setitem(sys.modules, "lazypkg._json", __import__("json"))
    monkeypatch.setitem(sys.modules, "lazypkg._path", __import__("os.path").path)
    getter, lister = attach(
        "lazypkg", {"dumps": "_json", "joined": "_path:join"}, ["dumps", "joined"]
    )
    module.__getattr__ = getter  # type: ignore[attr-defined]
    module.__dir__ = lister  # type: ignore[method-assign]
    return module


def test_names_load_on_first_use_and_are_kept(package: types.ModuleType) -> None:
    assert "dumps" not in vars(package)
    assert package.dumps([1]) == "[1]"
    assert "dumps" in vars(package)


def test_a_renamed_attribute(package: types.ModuleType) -> None:
    assert package.joined("a", "b") == "a/b"


def test_unknown_names_raise_attribute_error(package: types.ModuleType) -> None:
    with pytest.raises(AttributeError, match="module 'lazypkg' has no attribute 'nope'"):
        _ = package.nope


def test_dir_lists_every_public_name(package: types.ModuleType) -> None:
    assert {"dumps", "joined"} <= set(dir(package))


@pytest.mark.parametrize(
    "package_name",
    [
        "containerregistry.v1",
        "containerregistry.compression",
        "containerregistry.transport",
        "containerregistry.authn",
        "containerregistry.remote",
    ],
)
def test_real_packages_resolve_every_public_name(package_name: str) -> None:
    code = (
        f"import {package_name} as p\n"
        "missing = [n for n in p.__all__ if getattr(p, n, None) is None]\n"
        "print(missing)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
