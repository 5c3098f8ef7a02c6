"""MkDocs hooks: API pages generated from the distributions, so none goes stale.

Every ``packages/<dist>`` gets ``api/<dist>.md``: the first paragraph of its README
and a mkdocstrings block for each of its public packages. The pages are added to the
build (never written to docs/) and listed under "API reference" in the navigation.
Developer notes (``docs/dev/*.md``) are listed under "Developers" as they are added;
any other page missing from the navigation fails the build.
"""

from __future__ import annotations

import pathlib
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
PACKAGES = ROOT / "packages"
NAV_SECTION = "API reference"
DEV_SECTION = "Developers"
DEV_NOTES = ROOT / "docs" / "dev"


def distributions() -> list[pathlib.Path]:
    """Every distribution folder with code, core first, the rest by name.

    `containerregistry`, which only depends on the others, has no page of its own.
    """
    found = sorted(p for p in PACKAGES.iterdir() if (p / "src").is_dir())
    return sorted(found, key=lambda p: (p.name != "containerregistry-core", p.name))


def modules(distribution: pathlib.Path) -> list[str]:
    """The importable packages a distribution holds (``containerregistry.x`` or top level)."""
    source = distribution / "src"
    names = []
    for top in sorted(source.iterdir()):
        if top.name == "containerregistry":
            names += [
                f"containerregistry.{leaf.name}"
                for leaf in sorted(top.iterdir())
                if (leaf / "__init__.py").is_file()
            ]
        elif (top / "__init__.py").is_file():
            names.append(top.name)
    return names


def summary(distribution: pathlib.Path) -> str:
    """The README's first paragraph after its title."""
    lines = (distribution / "README.md").read_text().splitlines()
    paragraph: list[str] = []
    for line in lines[1:]:
        if line.strip():
            paragraph.append(line)
        elif paragraph:
            break
    return "\n".join(paragraph)


def page(distribution: pathlib.Path) -> str:
    names = modules(distribution)
    parts = [
        f"# {distribution.name}\n",
        summary(distribution) + "\n",
        f"Install: `pip install {distribution.name}`. "
        f"Packages: {', '.join(f'`{n}`' for n in names)}.\n",
    ]
    for module in names:
        parts.append(f"::: {module}\n")
    return "\n".join(parts)


def api_uri(distribution: pathlib.Path) -> str:
    return f"api/{distribution.name}.md"


def title(path: pathlib.Path) -> str:
    """A page's first heading (its file name when it has none)."""
    for line in path.read_text().splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def on_config(config: Any) -> Any:
    """List the generated pages under "API reference" and every developer note under
    "Developers" in the navigation."""
    entries = [{d.name: api_uri(d)} for d in distributions()]
    for item in config["nav"]:
        if isinstance(item, dict) and NAV_SECTION in item:
            item[NAV_SECTION] = ["api/index.md", *entries]
        if isinstance(item, dict) and DEV_SECTION in item:
            listed = {next(iter(entry.values())) for entry in item[DEV_SECTION]}
            for note in sorted(DEV_NOTES.glob("*.md")):
                uri = f"dev/{note.name}"
                if uri not in listed:
                    item[DEV_SECTION].insert(-1, {title(note): uri})
    return config


def on_files(files: Files, config: Any) -> Files:
    """Add one generated page per distribution."""
    for distribution in distributions():
        files.append(File.generated(config, api_uri(distribution), content=page(distribution)))
    return files
