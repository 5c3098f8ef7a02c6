"""Options the gcrane commands share, and gcrane's options from the global flags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from containerregistry.crane.cli._options import crane_options

if TYPE_CHECKING:
    from containerregistry.gcrane import GcraneArgs

Recursive = Annotated[
    bool, typer.Option("-r", "--recursive", help="Whether to recurse through repos")
]


def gcrane_args(ctx: typer.Context, **extra: Any) -> GcraneArgs:
    """The gcrane options the global flags give (keychain, insecure, platform, user agent)."""
    options = crane_options(ctx)
    args: dict[str, Any] = {"insecure": options.insecure, **extra}
    if options.keychain is not None:
        args["keychain"] = options.keychain
    if options.user_agent:
        args["user_agent"] = options.user_agent
    if options.platform is not None:
        args["platform"] = options.platform
    return args  # type: ignore[return-value]
