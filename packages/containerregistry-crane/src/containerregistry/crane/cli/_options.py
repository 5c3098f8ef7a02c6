"""Global options and the option aliases commands share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from containerregistry.lazy import record

if TYPE_CHECKING:
    from containerregistry.authn import Keychain
    from containerregistry.crane._options import Options


@record
class GlobalOptions:
    """crane's persistent flags, given to every command as ``ctx.obj``.

    - ``verbose``: log HTTP traffic (secrets redacted) to stderr (default False).
    - ``insecure``: allow plain HTTP and skip TLS verification (default False).
    - ``platform``: ``os/arch[/variant][:osversion]``, or ``all`` for every platform
      (default ``all``).
    - ``allow_nondistributable_artifacts``: also push foreign layers (default False).
    - ``quiet``: no progress bar or progress lines on stderr (default False).
    - ``keychain``: finds credentials (default None: docker's and podman's files);
      ``build_app(keychain=...)`` sets it (gcrane puts Google's first).
    """

    verbose: bool = False
    insecure: bool = False
    platform: str = "all"
    allow_nondistributable_artifacts: bool = False
    quiet: bool = False
    keychain: Keychain | None = None


Verbose = Annotated[
    bool, typer.Option("-v", "--verbose", help="Enable debug logs (secrets are redacted).")
]
Quiet = Annotated[
    bool,
    typer.Option("-q", "--quiet", help="Show no progress (bars or lines); errors still show."),
]
Insecure = Annotated[
    bool, typer.Option("--insecure", help="Allow image references to be fetched without TLS.")
]
PlatformOption = Annotated[
    str,
    typer.Option(
        "--platform",
        help="Specifies the platform in the form os/arch[/variant][:osversion] "
        "(e.g. linux/amd64), or all.",
    ),
]
AllowNondistributable = Annotated[
    bool,
    typer.Option(
        "--allow-nondistributable-artifacts",
        help="Allow pushing non-distributable (foreign) layers.",
    ),
]
Address = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="Address to listen on, HOST:PORT (default :$PORT, or :0 for a free port).",
    ),
]
Disk = Annotated[
    str | None,
    typer.Option(
        "--disk",
        help="Keep blobs and manifests in this directory (created if missing); "
        "by default they live in memory.",
    ),
]


#: Where the root callback keeps the run's :class:`~._progress.Reporter` (``ctx.meta``).
REPORTER_KEY = "containerregistry.crane.reporter"


def global_options(ctx: typer.Context) -> GlobalOptions:
    """The :class:`GlobalOptions` of the running command (defaults outside the CLI)."""
    root = ctx.find_root()
    obj = root.obj if root is not None else None
    return obj if isinstance(obj, GlobalOptions) else GlobalOptions()


def crane_options(ctx: typer.Context, **extra: Any) -> Options:
    """The :class:`~containerregistry.crane.Options` the global flags (and ``extra``) give."""
    from containerregistry.crane._options import Options

    flags = global_options(ctx)
    reporter = ctx.find_root().meta.get(REPORTER_KEY)
    callback = reporter.callback() if reporter is not None else None
    if callback is not None and "progress" not in extra:
        extra["progress"] = callback
    return Options.make(
        platform=flags.platform,
        insecure=flags.insecure,
        nondistributable=flags.allow_nondistributable_artifacts,
        user_agent=f"{ctx.find_root().info_name or 'crane'}/{_version()}",
        keychain=flags.keychain,
        **extra,
    )


def remote_options(ctx: typer.Context, *, platform: bool = True) -> dict[str, Any]:
    """The keyword options for :mod:`containerregistry.remote` that :func:`crane_options` gives.

    ``platform=False`` leaves the platform out (for reads that want a whole index);
    otherwise ``--platform all`` lets remote pick linux/amd64 where one image is needed.
    """
    return crane_options(ctx).remote(platform=platform)


def _version() -> str:
    from containerregistry.crane._version import __version__

    return __version__


FullRef = Annotated[
    bool, typer.Option("--full-ref", help="(Optional) if true, print the full image reference")
]
