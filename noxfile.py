"""Every task of the repository: `nox -l` lists them.

The fast set (lint, typecheck, tests) runs by default; `integration` needs root
and starts real services (dockerd, a registry:2 container) through tools/services.
"""

from __future__ import annotations

import os
import pathlib

import nox

ROOT = pathlib.Path(__file__).parent
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
SOURCE_DIRS = [p / "src" for p in PACKAGES]

RUFF = "ruff==0.17.6"
MYPY = "mypy==2.4.1"
PYTEST = ["pytest>=8", "hypothesis>=6.100"]
# What the tests of gs:// layouts need beside the layout distribution's gcs extra.
GCS_TEST_DEPS = ["google-cloud-storage>=2", "gcp-storage-emulator>=2024.8"]
# The registry's `server` extra: its tests run several gunicorn workers on one disk.
SERVER_TEST_DEPS = ["gunicorn>=22"]
# Type stubs and libraries the type checker needs to see.
TYPECHECK_DEPS = ["types-requests", "types-docker"]
# The documentation site (mkdocs-material + mkdocstrings) and the browser that checks it.
DOCS_DEPS = [
    "mkdocs==1.6.1",
    "mkdocs-material==9.8.1",
    "mkdocstrings==1.0.8",
    "mkdocstrings-python==2.0.11",
    "playwright==1.65.2",
]

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


def leaf_packages() -> list[str]:
    """Import names of every leaf package (containerregistry.<x>) across distributions."""
    names = []
    for source in SOURCE_DIRS:
        namespace = source / "containerregistry"
        for child in sorted(namespace.iterdir()) if namespace.is_dir() else []:
            if (child / "__init__.py").exists():
                names.append(f"containerregistry.{child.name}")
        # Top-level packages outside the namespace (pytest_containerregistry).
        for child in sorted(source.iterdir()):
            if child.name != "containerregistry" and (child / "__init__.py").exists():
                names.append(child.name)
    return names


def install_all(session: nox.Session, *extra: str, editable: bool = True) -> None:
    """Install every distribution, in one resolver run, plus `extra`.

    Editable by default; ``editable=False`` builds and installs wheels of the working
    tree (pip rebuilds a local directory on every run), as users get them.
    """
    args: list[str] = []
    for package in PACKAGES:
        args += ["-e", str(package)] if editable else [str(package)]
    session.install(*args, *extra)


@nox.session
def lint(session: nox.Session) -> None:
    """Check style and common mistakes with ruff."""
    session.install(RUFF)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check every package with mypy --strict, one package at a time."""
    install_all(session, MYPY, *PYTEST, *GCS_TEST_DEPS, *TYPECHECK_DEPS)
    env = {"MYPYPATH": os.pathsep.join(str(s) for s in SOURCE_DIRS)}
    packages = leaf_packages()
    flags: list[str] = []
    for name in packages:
        flags += ["-p", name]
    session.run("mypy", *flags, env=env)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the unit tests of every distribution and of the repository."""
    install_all(session, *PYTEST, *GCS_TEST_DEPS, *SERVER_TEST_DEPS)
    paths = [str(p / "tests") for p in PACKAGES if (p / "tests").is_dir()]
    session.run("pytest", "-q", *paths, "tests", *session.posargs)


@nox.session
def integration(session: nox.Session) -> None:
    """Start the real services (root) and run integration/ against them."""
    install_all(session, *PYTEST, *GCS_TEST_DEPS, "requests>=2.31", "docker>=7")
    output = session.run(str(ROOT / "tools" / "services"), "up", silent=True, external=True)
    env = {}
    for line in str(output).splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line[len("export ") :].partition("=")
            env[key] = value.strip().strip("'\"")
    session.log("services: " + ", ".join(f"{k}={v}" for k, v in sorted(env.items())))
    session.run("pytest", "-q", "integration", *session.posargs, env=env)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the site (mkdocs --strict) into site/ and check it in headless Chromium."""
    install_all(session, *DOCS_DEPS, RUFF, *PYTEST)  # ruff formats the signatures
    session.run("python", str(ROOT / "tools" / "docs" / "ensure-chromium"), external=True)
    site = str(ROOT / "site")
    quiet = {"NO_MKDOCS_2_WARNING": "1"}  # the theme's banner; about.md says why we stay
    session.run("mkdocs", "build", "--strict", "--clean", "--site-dir", site, env=quiet)
    session.run("pytest", "-q", str(ROOT / "tools" / "docs"), *session.posargs)


#: The long chaos sweep's defaults (each can be set in the environment instead):
#: operations, pushes through 30% upload faults, and the time bound in seconds.
CHAOS_DEFAULTS = {"CHAOS_OPS": "240", "CHAOS_PUSH_SEEDS": "100", "CHAOS_SECONDS": "900"}


@nox.session
def chaos(session: nox.Session) -> None:
    """Start the services (root) and run the long seeded fault sweep (integration/test_chaos.py)."""
    install_all(session, *PYTEST, "requests>=2.31")
    output = session.run(str(ROOT / "tools" / "services"), "up", silent=True, external=True)
    env = {key: os.environ.get(key, value) for key, value in CHAOS_DEFAULTS.items()}
    for line in str(output).splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line[len("export ") :].partition("=")
            env[key] = value.strip().strip("'\"")
    session.run("pytest", "-q", "integration/test_chaos.py", *session.posargs, env=env)


@nox.session
def bench(session: nox.Session) -> None:
    """Start the services (root) and run the benchmarks (tools/bench) beside Go crane and skopeo.

    ``nox -s bench -- --go-crane PATH`` names the Go crane binary (default: the one
    beside the repository at ../shared/anchors/crane, when present; without one the
    Go columns are empty). Script names after ``--`` run only those scripts.
    """
    # isal: the `fast` extra of core, which decompression uses when it is there.
    # Built and installed as users get them: editable installs and the sources on
    # PYTHONPATH put 14 directories in front of every import (about 10 ms per start).
    install_all(session, "requests>=2.31", "isal>=1.6", editable=False)
    output = session.run(str(ROOT / "tools" / "services"), "up", silent=True, external=True)
    env = {}
    for line in str(output).splitlines():
        if line.startswith("export ") and "=" in line:
            key, _, value = line[len("export ") :].partition("=")
            env[key] = value.strip().strip("'\"")
    session.run("python", str(ROOT / "tools" / "bench" / "run.py"), *session.posargs, env=env)


@nox.session(name="registry-load")
def registry_load(session: nox.Session) -> None:
    """Load our registry and a registry:2 container alike, a minute each (docs/registry-load.md)."""
    # gunicorn: for variants such as -- --ours "gunicorn=--server gunicorn --workers 2".
    install_all(session, *SERVER_TEST_DEPS)
    session.run(str(ROOT / "tools" / "services"), "up", silent=True, external=True)
    output = str(ROOT / "docs" / "registry-load.md")
    script = str(ROOT / "tools" / "bench" / "registry_load.py")
    session.run("python", script, "--output", output, *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Start the embedded registry and walk through push, mutate, copy, ls, pull, validate."""
    install_all(session)
    session.run("python", str(ROOT / "tools" / "demo.py"))
