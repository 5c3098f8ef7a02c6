"""The distributions share one PEP 420 namespace and install separately or together.

Each distribution that has a leaf package (`src/containerregistry/<pkg>/__init__.py`)
is built into a wheel with `pip wheel --no-deps`; fresh virtual environments then
install them from that local wheelhouse (`--no-index --find-links`; third-party
requirements and the build backend are downloaded into a second wheelhouse first)
and a fresh interpreter in each proves what imports and what does not.
"""

from __future__ import annotations

import email.parser
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import venv
import zipfile
from collections.abc import Callable, Sequence

import pytest

pytestmark = pytest.mark.slow

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORE = "containerregistry-core"
# What every packages/*/pyproject.toml builds with (hatchling, through the shared
# tools/packaging/hatch_build.py); hatchling asks for editables when it builds an
# editable install.
BUILD_BACKEND = ["hatchling>=1.18", "editables~=0.3"]


def normalize(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_name(package: pathlib.Path) -> str:
    text = (package / "pyproject.toml").read_text()
    project = text.partition("[project]")[2]
    match = re.search(r'^name\s*=\s*"([^"]+)"', project, re.MULTILINE)
    assert match, f"{package}/pyproject.toml has no [project] name"
    return normalize(match.group(1))


def leaf_packages(package: pathlib.Path) -> list[str]:
    """Import names of the leaf packages a distribution ships (those with __init__.py)."""
    namespace = package / "src" / "containerregistry"
    if not namespace.is_dir():
        return []
    return [
        f"containerregistry.{child.name}"
        for child in sorted(namespace.iterdir())
        if (child / "__init__.py").is_file()
    ]


#: Every distribution with something to import, by normalized name.
DISTRIBUTIONS = {
    distribution_name(p): p
    for p in sorted((ROOT / "packages").iterdir())
    if (p / "pyproject.toml").is_file() and leaf_packages(p)
}
SIBLINGS = {
    distribution_name(p) for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file()
}


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything that would leak the dev shell's packages in.

    PIP_* settings stay: they are the machine's way to reach its package index.
    """
    leaky = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PIP_USER", "PIP_TARGET"}
    env = {k: v for k, v in os.environ.items() if k not in leaky}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env.update(extra)
    return env


def run(args: list[str | os.PathLike[str]], **extra_env: str) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env=clean_env(**extra_env),
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(str(a) for a in args)}` failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


class Wheelhouse:
    """Local wheels of our distributions, plus the third-party wheels they need."""

    def __init__(self, root: pathlib.Path) -> None:
        self.ours = root / "ours"
        self.third_party = root / "third-party"
        self.ours.mkdir()
        self.third_party.mkdir()
        self._wheels: dict[str, pathlib.Path] = {}
        self._downloaded: set[str] = set()
        # The build backend, so builds and editable installs need no index.
        self._pip("download", "--dest", self.third_party, *BUILD_BACKEND)

    def _pip(self, *args: str | os.PathLike[str]) -> str:
        return run([sys.executable, "-m", "pip", *args, "--no-input", "--quiet"])

    @property
    def find_links(self) -> list[str]:
        return ["--no-index", "--find-links", str(self.ours), "--find-links", str(self.third_party)]

    def wheel(self, name: str) -> pathlib.Path:
        """Build (once) the wheel of distribution `name` and fetch its third-party needs."""
        if name in self._wheels:
            return self._wheels[name]
        package = DISTRIBUTIONS.get(name)
        if package is None:
            pytest.fail(f"distribution {name} has no leaf package with __init__.py to build")
        if not (package / "README.md").is_file():
            pytest.fail(f"{package.relative_to(ROOT)}/README.md is missing; the build needs it")
        build = self.ours / f"build-{name}"
        # Built from a copy with no sibling folders beside it, as from an sdist: a
        # wheel built in the checkout names its siblings by path (tools/packaging).
        source = self.ours / f"source-{name}"
        shutil.copytree(package, source, ignore=shutil.ignore_patterns("tests", "__pycache__"))
        self._pip("wheel", "--no-deps", *self.find_links, "--wheel-dir", build, source)
        shutil.rmtree(source)
        (built,) = build.glob("*.whl")
        wheel = built.rename(self.ours / built.name)
        build.rmdir()
        self._wheels[name] = wheel
        third_party = [r for r in requirements(wheel) if requirement_name(r) not in SIBLINGS]
        missing = [r for r in third_party if r not in self._downloaded]
        if missing:
            self._pip("download", "--dest", self.third_party, *missing)
            self._downloaded.update(missing)
        return wheel

    def closure(self, name: str) -> list[pathlib.Path]:
        """Wheels of `name` and of every sibling it depends on, transitively."""
        wheels: dict[str, pathlib.Path] = {}
        pending = [name]
        while pending:
            current = pending.pop()
            if current in wheels:
                continue
            wheels[current] = self.wheel(current)
            for requirement in requirements(wheels[current]):
                sibling = requirement_name(requirement)
                if sibling in SIBLINGS:
                    pending.append(sibling)
        return list(wheels.values())


def requirements(wheel: pathlib.Path) -> list[str]:
    """The unconditional Requires-Dist entries of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        message = email.parser.Parser().parsestr(archive.read(metadata).decode())
    return [r for r in message.get_all("Requires-Dist") or [] if "extra ==" not in r]


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"cannot read the name of requirement {requirement!r}"
    return normalize(match.group(1))


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Wheelhouse:
    return Wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


Installer = Callable[..., pathlib.Path]


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Installer:
    """Make a new virtual environment, pip-install `args` into it, return its python."""

    def make(*args: str | os.PathLike[str]) -> pathlib.Path:
        home = tmp_path_factory.mktemp("venv")
        # No pip inside: the test's own pip installs into it (`--python`), which
        # saves bootstrapping pip into every environment.
        venv.EnvBuilder(with_pip=False, clear=True).create(home)
        python = home / "bin" / "python"
        pip = [sys.executable, "-m", "pip", "--python", python]
        run([*pip, "install", "--no-input", "--quiet", *args])
        return python

    return make


PROBE = textwrap.dedent(
    """
    import importlib, importlib.metadata, importlib.util, json, sys
    imported, absent = {}, []
    for name in sys.argv[1].split(",") if sys.argv[1] else []:
        module = importlib.import_module(name)
        imported[name] = getattr(module, "__file__", None)
    for name in sys.argv[2].split(",") if sys.argv[2] else []:
        if importlib.util.find_spec(name) is None:
            absent.append(name)
    import containerregistry
    print(json.dumps({
        "imported": imported,
        "absent": absent,
        "namespace_file": getattr(containerregistry, "__file__", None),
        "namespace_path": list(containerregistry.__path__),
        "distributions": sorted(
            d.metadata["Name"].lower() for d in importlib.metadata.distributions()
        ),
    }))
    """
)


def probe(
    python: pathlib.Path,
    *,
    present: list[str],
    absent: Sequence[str] = (),
    **env: str,
) -> dict[str, object]:
    """Import `present` and look for `absent` in a new interpreter of the venv."""
    output = run([python, "-c", PROBE, ",".join(present), ",".join(absent)], **env)
    result: dict[str, object] = json.loads(output)
    assert result["namespace_file"] is None, "containerregistry must be a PEP 420 namespace"
    assert sorted(result["absent"]) == sorted(absent), f"unexpectedly importable: {result}"
    return result


def leaves(*names: str) -> list[str]:
    return [leaf for name in names for leaf in leaf_packages(DISTRIBUTIONS[name])]


def ours(result: dict[str, object]) -> set[str]:
    installed = result["distributions"]
    assert isinstance(installed, list)
    return {normalize(d) for d in installed} & SIBLINGS


def test_core_installs_alone(wheelhouse: Wheelhouse, fresh_venv: Installer) -> None:
    python = fresh_venv(*wheelhouse.find_links, wheelhouse.wheel(CORE))
    others = sorted(set(leaves(*DISTRIBUTIONS)) - set(leaves(CORE)))
    result = probe(
        python,
        present=["containerregistry.v1", *leaves(CORE)],
        absent=sorted({"containerregistry.registry", *others}),
    )
    assert ours(result) == {CORE}


@pytest.mark.parametrize("name", sorted(set(DISTRIBUTIONS) - {CORE}))
def test_distribution_installs_with_its_siblings(
    wheelhouse: Wheelhouse, fresh_venv: Installer, name: str
) -> None:
    wheels = wheelhouse.closure(name)
    python = fresh_venv(*wheelhouse.find_links, *wheels)
    installed = {normalize(w.name.split("-")[0]) for w in wheels}
    not_installed = sorted(set(DISTRIBUTIONS) - installed)
    result = probe(
        python,
        present=leaves(*(n for n in installed if n in DISTRIBUTIONS)),
        absent=leaves(*not_installed),
    )
    assert ours(result) == installed


@pytest.fixture(scope="module")
def unrelated_module(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A folder holding an unrelated `containerregistry/x.py` (no __init__.py)."""
    folder = tmp_path_factory.mktemp("unrelated")
    (folder / "containerregistry").mkdir()
    (folder / "containerregistry" / "x.py").write_text("MARK = 'unrelated'\n")
    return folder


@pytest.mark.parametrize("editable", [False, True], ids=["wheels", "editable"])
def test_all_distributions_install_together(
    wheelhouse: Wheelhouse,
    fresh_venv: Installer,
    unrelated_module: pathlib.Path,
    editable: bool,
) -> None:
    names = sorted(DISTRIBUTIONS)
    wheels = [wheel for name in names for wheel in wheelhouse.closure(name)]
    if editable:
        targets: list[str | os.PathLike[str]] = []
        for name in names:
            targets += ["--editable", DISTRIBUTIONS[name]]
    else:
        targets = list(dict.fromkeys(wheels))
    python = fresh_venv(*wheelhouse.find_links, *targets)
    result = probe(python, present=leaves(*names))
    assert ours(result) >= set(names)
    namespace_path = result["namespace_path"]
    assert isinstance(namespace_path, list)
    if editable:
        # Each editable distribution adds its own src/containerregistry to the namespace.
        for name in names:
            source = DISTRIBUTIONS[name] / "src" / "containerregistry"
            assert str(source) in namespace_path, f"{name}: {source} not in {namespace_path}"
    else:
        assert len(namespace_path) == 1, "wheels all install into one site-packages folder"
    # An unrelated containerregistry/x.py on PYTHONPATH joins the namespace (PEP 420).
    beside = probe(
        python,
        present=["containerregistry.x", *leaves(*names)],
        PYTHONPATH=str(unrelated_module),
    )
    imported = beside["imported"]
    assert isinstance(imported, dict)
    assert imported["containerregistry.x"] == str(unrelated_module / "containerregistry" / "x.py")
