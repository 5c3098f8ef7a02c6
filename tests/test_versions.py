"""Repository rules every distribution keeps: one version, exact sibling pins, a
README, py.typed in each leaf package, and no `containerregistry/__init__.py` (PEP 420).
"""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())
BUMP_VERSION = ROOT / "tools" / "bump-version"
# Folders that hold no source of ours (virtual environments, caches, build output).
SKIPPED_DIRS = {".git", ".nox", ".venv", "venv", "node_modules", "build", "dist", ".services"}


def project(package: pathlib.Path) -> dict[str, object]:
    data = tomllib.loads((package / "pyproject.toml").read_text())
    table = data["project"]
    assert isinstance(table, dict)
    return table


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"cannot read the name of requirement {requirement!r}"
    return normalize(match.group(1))


def all_requirements(table: dict[str, object]) -> list[str]:
    requirements = list(table.get("dependencies", []))  # type: ignore[call-overload]
    optional = table.get("optional-dependencies", {})
    assert isinstance(optional, dict)
    for extra in optional.values():
        requirements += extra
    return requirements


def leaf_packages(package: pathlib.Path) -> list[pathlib.Path]:
    namespace = package / "src" / "containerregistry"
    if not namespace.is_dir():
        return []
    return sorted(p for p in namespace.iterdir() if p.is_dir() and p.name != "__pycache__")


def walk(root: pathlib.Path) -> list[pathlib.Path]:
    found = []
    for path in root.iterdir():
        skipped = path.name in SKIPPED_DIRS or path.name.endswith(".egg-info")
        if path.is_dir() and not path.is_symlink() and not skipped:
            found.append(path)
            found += walk(path)
    return found


def test_there_are_distributions() -> None:
    names = {normalize(str(project(p)["name"])) for p in PACKAGES}
    assert "containerregistry-core" in names


def test_every_distribution_has_the_same_version() -> None:
    versions = {p.name: project(p)["version"] for p in PACKAGES}
    assert len(set(versions.values())) == 1, f"versions differ: {versions}"


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_siblings_are_pinned_exactly(package: pathlib.Path) -> None:
    siblings = {normalize(str(project(p)["name"])) for p in PACKAGES}
    table = project(package)
    version = table["version"]
    for requirement in all_requirements(table):
        name = requirement_name(requirement)
        if name in siblings:
            pin = re.sub(r"\s+", "", requirement.split(";")[0])
            pinned = re.sub(r"\[[^\]]*\]", "", pin).lower().replace("_", "-")
            assert pinned == f"{name}=={version}", (
                f"{package.name}: sibling requirement {requirement!r} must be "
                f"exactly {name}=={version}"
            )


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_distribution_has_a_readme(package: pathlib.Path) -> None:
    readme = package / "README.md"
    assert readme.is_file(), f"{readme.relative_to(ROOT)} is missing"
    assert readme.read_text().strip(), f"{readme.relative_to(ROOT)} is empty"
    assert project(package).get("readme") == "README.md"


def test_no_namespace_init_anywhere() -> None:
    offenders = [
        str((d / "__init__.py").relative_to(ROOT))
        for d in walk(ROOT)
        if d.name == "containerregistry" and (d / "__init__.py").exists()
    ]
    assert offenders == [], "PEP 420 namespace: remove " + ", ".join(offenders)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_every_leaf_package_is_typed(package: pathlib.Path) -> None:
    for leaf in leaf_packages(package):
        if not (leaf / "__init__.py").exists():
            continue  # a folder somebody is still filling; nothing importable yet
        assert (leaf / "py.typed").is_file(), f"{leaf.relative_to(ROOT)}/py.typed is missing"


def test_no_py_typed_at_the_namespace_root() -> None:
    for package in PACKAGES:
        marker = package / "src" / "containerregistry" / "py.typed"
        assert not marker.exists(), f"{marker.relative_to(ROOT)}: py.typed belongs in leaf packages"


def test_bump_version_rewrites_every_distribution(tmp_path: pathlib.Path) -> None:
    copy = tmp_path / "repo"
    for package in PACKAGES:
        target = copy / "packages" / package.name
        target.mkdir(parents=True)
        shutil.copy2(package / "pyproject.toml", target / "pyproject.toml")
    old = str(project(PACKAGES[0])["version"])
    result = subprocess.run(
        [sys.executable, str(BUMP_VERSION), "--root", str(copy), "9.8.7rc1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    siblings = {normalize(str(project(p)["name"])) for p in PACKAGES}
    for package in PACKAGES:
        text = (copy / "packages" / package.name / "pyproject.toml").read_text()
        table = tomllib.loads(text)["project"]
        assert table["version"] == "9.8.7rc1"
        for requirement in all_requirements(table):
            if requirement_name(requirement) in siblings:
                assert requirement.endswith("==9.8.7rc1"), requirement
        # Only the version strings change: the rest of the file is left as it was.
        original = (package / "pyproject.toml").read_text()
        assert text.replace("9.8.7rc1", old) == original


@pytest.mark.parametrize("bad", ["", "1.2.x", "v1.0", "1..2"])
def test_bump_version_refuses_bad_versions(tmp_path: pathlib.Path, bad: str) -> None:
    result = subprocess.run(
        [sys.executable, str(BUMP_VERSION), "--root", str(tmp_path), bad],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "version" in result.stderr


def test_the_everything_distribution_depends_on_every_other() -> None:
    everything = ROOT / "packages" / "containerregistry"
    wanted = {normalize(str(project(p)["name"])) for p in PACKAGES if p != everything}
    wanted.discard("pytest-containerregistry")  # a pytest plugin is opted into, not bundled
    named = {requirement_name(r) for r in project(everything).get("dependencies", [])}  # type: ignore[attr-defined]
    assert named == wanted


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_a_distribution_with_siblings_builds_through_the_shared_hook(
    package: pathlib.Path,
) -> None:
    # `pip install ./packages/X` must find X's siblings in the checkout; the shared
    # hook (tools/packaging/hatch_build.py) does that, reached through a link.
    siblings = {normalize(str(project(p)["name"])) for p in PACKAGES}
    needs = {requirement_name(r) for r in all_requirements(project(package))} & siblings
    if not needs:
        return
    link = package / "_checkout_build.py"
    assert link.is_symlink(), f"{link.relative_to(ROOT)} must link to the shared hook"
    assert link.resolve() == ROOT / "tools" / "packaging" / "hatch_build.py"
    data = tomllib.loads((package / "pyproject.toml").read_text())
    assert data["build-system"]["build-backend"] == "_checkout_build"
    assert data["build-system"]["backend-path"] == ["."]
    assert data["tool"]["hatch"]["build"]["hooks"]["custom"]["path"] == "_checkout_build.py"
