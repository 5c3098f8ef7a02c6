"""``gcrane gc REPO [-r] [--delete [--dry-run]]``: list (and delete) untagged images."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import fail, reported
from containerregistry.gcrane.cli._options import Recursive, gcrane_args


@reported
def gc(
    ctx: typer.Context,
    repo: Annotated[str, typer.Argument(metavar="REPO", show_default=False)],
    recursive: Recursive = False,
    delete: Annotated[
        bool,
        typer.Option(
            "--delete",
            help="Also delete the untagged images listed (indexes first), reporting each "
            "on stderr; exit 1 if any deletion failed",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="With --delete: say what would be deleted, delete nothing"),
    ] = False,
    jobs: Annotated[
        int, typer.Option("-j", "--jobs", help="The maximum number of concurrent deletions")
    ] = 4,
) -> None:
    """List images that are not tagged."""
    from containerregistry import gcrane

    if dry_run and not delete:
        raise fail("--dry-run only applies with --delete")
    args = gcrane_args(ctx, jobs=jobs)
    args.pop("platform", None)
    images = gcrane.untagged(repo, recursive=recursive, **args)
    if images:
        print("\n".join(str(image) for image in images), flush=True)
    if not delete:
        return
    report = gcrane.delete_images(images, dry_run=dry_run, **args)
    verb = "would delete" if dry_run else "deleted"
    for image in report.deleted:
        print(f"{verb} {image}", file=sys.stderr)
    for image, error in report.failed:
        print(f"failed to delete {image}: {error}", file=sys.stderr)
    print(
        f"{verb} {len(report.deleted)} image(s), {len(report.failed)} failed",
        file=sys.stderr,
        flush=True,
    )
    if report.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``gc`` to ``app``."""
    app.command("gc")(gc)
