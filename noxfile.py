"""Every task of the repository: `nox -l` lists them.

The fast set (lint, typecheck, tests) runs by default; `integration` needs root
and starts real services (dockerd, a registry:2 container) through tools/services.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pathlib
import re

import nox

ROOT = pathlib.Path(__file__).parent
#: Every distribution's directory: the libraries, the CLIs, the pytest plugin, and
#: `containerregistry`, which holds no code and depends on all but the plugin.
PACKAGES = sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").exists())
#: The distributions with code (all but `containerregistry`).
CODE_PACKAGES = [p for p in PACKAGES if (p / "src").is_dir()]
SOURCE_DIRS = [p / "src" for p in CODE_PACKAGES]
#: Where `nox -s build` puts every wheel and sdist.
WHEELHOUSE = ROOT / "wheelhouse"

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
# Plain virtualenv (pip inside): the same on every machine.
nox.options.default_venv_backend = "virtualenv"
# nox looks for uv even so, and says so on every session where it is missing.
logging.getLogger("nox").addFilter(lambda record: record.getMessage() != "uv binary not found.")


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
    """Install every distribution with code, in one resolver run, plus `extra`.

    Editable by default, and skipped when the session's environment already has the
    same set from the same pyproject files (editable code needs no reinstall);
    ``editable=False`` builds and installs wheels of the working tree (pip rebuilds a
    local directory on every run), as users get them.
    """
    if editable:
        install_editable(session, CODE_PACKAGES, *extra)
    else:
        session.install(*(str(p) for p in CODE_PACKAGES), *extra)


def install_editable(session: nox.Session, packages: list[pathlib.Path], *extra: str) -> None:
    """Install `packages` editable plus `extra`, unless this environment already has them.

    A stamp in the environment records what was installed and a hash of the
    pyproject files; pip runs again only when either changed (``nox -R`` skips
    installs altogether, ``nox -r`` keeps this check).
    """
    fingerprint = hashlib.sha256()
    for package in packages:
        fingerprint.update(
            package.name.encode() + b"\0" + (package / "pyproject.toml").read_bytes()
        )
    fingerprint.update("\0".join(extra).encode())
    location = getattr(session.virtualenv, "location", None)
    stamp = pathlib.Path(location) / ".containerregistry-installed" if location else None
    if stamp is not None and stamp.is_file() and stamp.read_text() == fingerprint.hexdigest():
        session.log("installed distributions unchanged; not reinstalling")
        return
    args: list[str] = []
    for package in packages:
        args += ["-e", str(package)]
    session.install("--quiet", *args, *extra, silent=True)
    if stamp is not None:
        stamp.write_text(fingerprint.hexdigest())


def closure(name: str) -> list[pathlib.Path]:
    """The directories of distribution `name` and every sibling it needs, extras left out."""
    directories = {p.name: p for p in PACKAGES}
    needed: dict[str, pathlib.Path] = {}
    pending = [name]
    while pending:
        current = pending.pop()
        if current in needed:
            continue
        needed[current] = directories[current]
        for requirement in project_dependencies(directories[current]):
            if requirement in directories:
                pending.append(requirement)
    return sorted(needed.values())


def project_dependencies(package: pathlib.Path) -> list[str]:
    """The names in `package`'s ``[project] dependencies`` (its pyproject.toml)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: nox brings tomli
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    return [
        re.split(r"[\s\[<>=!~;@]", raw, maxsplit=1)[0] for raw in project.get("dependencies", [])
    ]


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
def build(session: nox.Session) -> None:
    """Build a wheel and an sdist of every distribution into wheelhouse/ and check them.

    Each wheel is built from its sdist, as an index builds it. The checks: twine's
    (metadata renders), tools/packaging/check_wheelhouse.py (one version, exact pins,
    no path dependencies), and tools/packaging/test_wheelhouse.py, which installs
    single distributions from the wheelhouse into fresh virtualenvs, as users do with
    ``pip install --find-links wheelhouse NAME``.
    """
    # The build backend's own requirement, installed once: `--no-isolation` then saves
    # a fresh environment per sdist and per wheel (32 of them).
    session.install("--quiet", "build>=1.2", "twine>=5", "hatchling>=1.18", *PYTEST, silent=True)
    if WHEELHOUSE.exists():
        for old in WHEELHOUSE.iterdir():
            old.unlink()
    for package in PACKAGES:
        session.log(f"building {package.name}")
        session.run(
            "python",
            "-m",
            "build",
            "--no-isolation",
            "--outdir",
            str(WHEELHOUSE),
            str(package),
            silent=True,
        )
    artifacts = sorted(str(p) for p in WHEELHOUSE.iterdir())
    session.run("twine", "check", "--strict", *artifacts)
    session.run(
        "python", str(ROOT / "tools" / "packaging" / "check_wheelhouse.py"), str(WHEELHOUSE)
    )
    test = str(ROOT / "tools" / "packaging" / "test_wheelhouse.py")
    session.run("pytest", "-q", test, *session.posargs, env={"WHEELHOUSE": str(WHEELHOUSE)})


@nox.session
def demo(session: nox.Session) -> None:
    """Start the embedded registry and walk through push, mutate, copy, ls, pull, validate."""
    install_editable(session, closure("containerregistry-crane"))
    session.run("python", str(ROOT / "tools" / "demo.py"))
