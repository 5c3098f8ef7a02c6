"""``crane registry serve``: run the embedded registry."""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._options import Address, Disk

AuthMode = Annotated[
    str,
    typer.Option(
        "--auth",
        help="Require authentication: none, basic (HTTP basic) or token "
        "(bearer tokens from /token).",
    ),
]
Users = Annotated[
    list[str] | None,
    typer.Option("--user", help="A user allowed in, NAME:PASSWORD (repeatable)."),
]
UsersFile = Annotated[
    str | None,
    typer.Option("--users-file", help="A file of NAME:PASSWORD lines of users allowed in."),
]
Gcr = Annotated[
    bool,
    typer.Option("--gcr", help="Answer tags/list with GCR's extended JSON (child, manifest)."),
]
Referrers = Annotated[
    bool, typer.Option("--referrers/--no-referrers", help="Serve the OCI referrers API.")
]
BlobsToDisk = Annotated[
    bool, typer.Option("--blobs-to-disk", hidden=True, help="Deprecated: use --disk.")
]


def _default_address() -> str:
    port = os.environ.get("PORT")
    return f":{port}" if port else ":0"


def serve(
    address: Address = None,
    disk: Disk = None,
    auth: AuthMode = "none",
    user: Users = None,
    users_file: UsersFile = None,
    gcr: Gcr = False,
    referrers: Referrers = True,
    blobs_to_disk: BlobsToDisk = False,
) -> None:
    """Serve a registry implementation (in memory, or on disk with --disk)."""
    from containerregistry import registry

    if blobs_to_disk and disk is None:
        import tempfile

        disk = tempfile.mkdtemp(prefix="crane-registry-")
    users: dict[str, str] = {}
    if users_file:
        users.update(registry.load_users(users_file))
    for entry in user or []:
        name, password = registry.parse_user(entry)
        users[name] = password
    authorizer: registry.Authorizer | None
    if auth == "none":
        authorizer = None
    elif auth in ("basic", "token") and not users:
        raise typer.BadParameter("--auth needs at least one --user or a --users-file")
    elif auth == "basic":
        authorizer = registry.BasicAuth(users)
    elif auth == "token":
        authorizer = registry.TokenAuth(users)
    else:
        raise typer.BadParameter(f"--auth must be none, basic or token, not {auth!r}")
    storage = registry.DiskStorage(disk) if disk else None
    app = registry.Registry(storage=storage, auth=authorizer, gcr=gcr, referrers=referrers)
    server = registry.make_server(app, address=address or _default_address())

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(f"serving on port {server.port}", file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def build() -> typer.Typer:
    """The ``registry`` command group."""
    group = typer.Typer(help="Run a container registry.", no_args_is_help=True)
    group.command("serve")(serve)
    return group
