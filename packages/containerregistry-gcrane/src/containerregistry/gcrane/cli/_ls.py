"""``gcrane ls REPO [-r] [--json] [--format table]``: GCR's listing, in a stable order."""

from __future__ import annotations

import datetime
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.gcrane.cli._options import Recursive, gcrane_args

if TYPE_CHECKING:
    from containerregistry.google import Tags
    from containerregistry.name import Repository

_FORMATS = ("text", "json", "table")
#: Docker's size units (decimal), as ``docker images`` shows them.
_UNITS = ("B", "kB", "MB", "GB", "TB", "PB")
_SHORT_DIGEST = len("sha256:") + 12


def text_lines(repo: Repository, tags: Tags, *, children: bool = True) -> list[str]:
    """The lines ``gcrane ls`` prints for one listing, sorted (gcrane's order is random).

    A plain registry gives ``repo:tag`` per tag. GCR gives each child as
    ``repo/child`` (unless ``children`` is False, as with ``-r``), then each manifest
    (by digest) as ``repo@digest`` followed by ``repo:tag`` per tag.
    """
    if not tags.extended:
        return [f"{repo.name}:{tag}" for tag in tags.tags]
    lines = [f"{repo.name}/{child}" for child in sorted(tags.children)] if children else []
    for digest in sorted(tags.manifests):
        lines.append(f"{repo.name}@{digest}")
        lines.extend(f"{repo.name}:{tag}" for tag in sorted(tags.manifests[digest].tags))
    return lines


def human_size(size: int) -> str:
    """``size`` bytes with three significant digits and decimal units (``1.23MB``)."""
    value = float(size)
    for unit in _UNITS:
        if value < 1000 or unit == _UNITS[-1]:
            return f"{size}B" if unit == "B" else f"{value:.3g}{unit}"
        value /= 1000
    raise AssertionError("unreachable")


def _when(moment: datetime.datetime) -> str:
    from containerregistry.google._list import EPOCH

    return "-" if moment == EPOCH else moment.strftime("%Y-%m-%d %H:%M:%S")


def table_lines(listings: list[tuple[Repository, Tags]], *, with_repository: bool) -> list[str]:
    """A table for people: one row per image with its tags, size, created and uploaded
    times (UTC), newest upload first within a repository."""
    header = ["DIGEST", "TAGS", "SIZE", "CREATED", "UPLOADED"]
    if with_repository:
        header.insert(0, "REPOSITORY")
    rows: list[list[str]] = []
    for repo, tags in sorted(listings, key=lambda item: item[0].name):
        prefix = [repo.name] if with_repository else []
        if not tags.extended:
            rows.extend([*prefix, "-", tag, "-", "-", "-"] for tag in tags.tags)
            continue
        ordered = sorted(
            tags.manifests.items(), key=lambda item: (-item[1].time_uploaded.timestamp(), item[0])
        )
        for digest, info in ordered:
            rows.append(
                [
                    *prefix,
                    digest[:_SHORT_DIGEST],
                    ",".join(sorted(info.tags)) or "<none>",
                    human_size(info.image_size_bytes),
                    _when(info.time_created),
                    _when(info.time_uploaded),
                ]
            )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]


@reported
def ls(
    ctx: typer.Context,
    repo: Annotated[str, typer.Argument(metavar="REPO", show_default=False)],
    recursive: Recursive = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Format the response from the registry as JSON")
    ] = False,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Output format: text (gcrane's lines, default), json (as --json), or "
            "table (tags, size and dates, for people)",
        ),
    ] = None,
) -> None:
    """List the contents of a repo."""
    from containerregistry import google, name
    from containerregistry.crane.cli._errors import fail

    chosen = output_format or ("json" if json_output else "text")
    if chosen not in _FORMATS:
        raise fail(f'unexpected --format: "{chosen}" (valid values are: text, json, and table)')
    if json_output and chosen != "json":
        raise fail(f"--json conflicts with --format {chosen}")
    args = gcrane_args(ctx)
    args.pop("platform", None)
    repository = name.new_repository(repo, insecure=bool(args.get("insecure")))
    listings: list[tuple[Repository, Tags]] = []
    failures: list[str] = []
    if recursive:

        def visit(child: Repository, tags: Tags | None, error: Exception | None) -> None:
            if error is not None:
                failures.append(f"listing {child.name}: {error}")
            elif tags is not None:
                listings.append((child, tags))

        google.walk(repository, visit, **args)
    else:
        listings.append((repository, google.list(repository, **args)))
    listings.sort(key=lambda item: item[0].name)
    if chosen == "json":
        out = sys.stdout.buffer
        for _, tags in listings:
            out.write(tags.to_json() + b"\n")
        out.flush()
    else:
        if chosen == "table":
            lines = table_lines(listings, with_repository=recursive)
        else:
            lines = [
                line
                for child, tags in listings
                for line in text_lines(child, tags, children=not recursive)
            ]
        if lines:
            print("\n".join(lines), flush=True)
    if failures:
        for failure in failures:
            print(f"Error: {failure}", file=sys.stderr)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``ls`` to ``app``."""
    app.command("ls")(ls)
