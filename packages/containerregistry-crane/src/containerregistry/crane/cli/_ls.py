"""``crane ls REPO``: one tag per line, in the registry's order."""

from __future__ import annotations

from typing import Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._options import FullRef, crane_options

#: The prefix of the fallback tags that hold referrers (``sha256-<hex>``).
_DIGEST_TAG_PREFIX = "sha256-"


@reported
def ls(
    ctx: typer.Context,
    repo: Annotated[str, typer.Argument(metavar="REPO", show_default=False)],
    full_ref: FullRef = False,
    omit_digest_tags: Annotated[
        bool,
        typer.Option(
            "-O",
            "--omit-digest-tags",
            help="(Optional), if true, omit digest tags (e.g., ':sha256-...')",
        ),
    ] = False,
) -> None:
    """List the tags in a repo."""
    from containerregistry.crane._transports import parse, tags

    options = crane_options(ctx)
    location = parse(repo)
    # A layout lists its entries' names, an archive its RepoTags, the daemon the
    # tags of repository NAME; --full-ref puts the repository (or transport) first.
    prefix = options.repository(repo).name if location.is_registry else location.text
    lines = []
    for tag in tags(location, options):
        if omit_digest_tags and tag.startswith(_DIGEST_TAG_PREFIX):
            continue
        lines.append(f"{prefix}:{tag}" if full_ref else tag)
    if lines:
        print("\n".join(lines))


def register(app: typer.Typer) -> None:
    """Add ``ls`` to ``app``."""
    app.command("ls")(ls)
