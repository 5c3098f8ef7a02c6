"""Check a wheelhouse that `nox -s build` made: one wheel and one sdist per distribution.

    python tools/packaging/check_wheelhouse.py WHEELHOUSE

Checks what twine's own check does not: every distribution of packages/ is there as
a wheel and an sdist, all at one version, every dependency on a sibling pinned to
exactly that version, and no dependency named by a path or URL (which an index
refuses and a user's pip cannot follow). Prints one line per problem and exits 1,
or one summary line and exits 0.
"""

from __future__ import annotations

import email.parser
import pathlib
import re
import sys
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def expected_names() -> dict[str, str]:
    """Each distribution's name mapped to its version, from packages/*/pyproject.toml."""
    found = {}
    for pyproject in sorted(ROOT.glob("packages/*/pyproject.toml")):
        text = pyproject.read_text()
        name = re.search(r'^name = "([^"]+)"', text, re.MULTILINE)
        version = re.search(r'^version = "([^"]+)"', text, re.MULTILINE)
        if name and version:
            found[name.group(1)] = version.group(1)
    return found


def wheel_metadata(path: pathlib.Path) -> str:
    """The METADATA file of a wheel."""
    with zipfile.ZipFile(path) as archive:
        member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(member).decode()


def sdist_metadata(path: pathlib.Path) -> str:
    """The top-level PKG-INFO of an sdist."""
    with tarfile.open(path) as archive:
        member = next(
            m
            for m in archive.getmembers()
            if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        )
        handle = archive.extractfile(member)
        assert handle is not None
        return handle.read().decode()


def problems(wheelhouse: pathlib.Path) -> list[str]:
    """Every way the wheelhouse falls short, one sentence each."""
    expected = expected_names()
    versions = set(expected.values())
    found: list[str] = []
    if len(versions) != 1:
        found.append(f"the pyproject files disagree on the version: {sorted(versions)}")
    version = next(iter(versions))
    files = sorted(wheelhouse.glob("*.whl")) + sorted(wheelhouse.glob("*.tar.gz"))
    seen: dict[str, set[str]] = {name: set() for name in expected}
    for path in files:
        kind = "wheel" if path.suffix == ".whl" else "sdist"
        text = wheel_metadata(path) if kind == "wheel" else sdist_metadata(path)
        metadata = email.parser.Parser().parsestr(text)
        name, file_version = metadata["Name"], metadata["Version"]
        if name not in expected:
            found.append(f"{path.name}: {name} is not a distribution of packages/")
            continue
        seen[name].add(kind)
        if file_version != version:
            found.append(f"{path.name}: version {file_version}, the others are {version}")
        for requirement in metadata.get_all("Requires-Dist") or []:
            if "@" in requirement.split(";")[0]:
                found.append(f"{path.name}: names a dependency by URL: {requirement}")
                continue
            required = re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0]
            if required in expected and f"=={version}" not in requirement.replace(" ", ""):
                found.append(f"{path.name}: {requirement} is not pinned to =={version}")
    for name, kinds in seen.items():
        for kind in sorted({"wheel", "sdist"} - kinds):
            found.append(f"{name}: no {kind} in {wheelhouse}")
    return found


def main() -> int:
    wheelhouse = pathlib.Path(sys.argv[1])
    found = problems(wheelhouse)
    for problem in found:
        print(f"check_wheelhouse: {problem}")
    if found:
        return 1
    count = len(expected_names())
    print(f"check_wheelhouse: {count} distributions, a wheel and an sdist each, one version")
    return 0


if __name__ == "__main__":
    sys.exit(main())
