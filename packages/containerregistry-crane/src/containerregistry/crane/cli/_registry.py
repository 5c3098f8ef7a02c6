"""``crane registry serve``: run the embedded registry."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from containerregistry.crane.cli._errors import fail
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
ReadOnly = Annotated[
    bool,
    typer.Option("--read-only", help="Refuse pushes and deletes (405), e.g. while gc runs."),
]
MaxUploadSize = Annotated[
    int | None,
    typer.Option(
        "--max-upload-size",
        help="Most bytes one blob upload may hold; larger ones are refused (413).",
    ),
]
ReadTimeout = Annotated[
    float,
    typer.Option(
        "--read-timeout",
        help="Seconds a request's headers or body may send nothing before it is cut "
        "off (408, connection closed); a stalled upload is discarded.",
    ),
]
PurgingAge = Annotated[
    float,
    typer.Option(
        "--upload-purging-age",
        help="Seconds after which an upload that received no byte is deleted from the "
        "storage, by whichever instance sees it first (Distribution's "
        "uploadpurging.age, there counted from the upload's start).",
    ),
]
PurgingInterval = Annotated[
    float,
    typer.Option(
        "--upload-purging-interval",
        help="Seconds between two sweeps of the storage for such uploads "
        "(Distribution's uploadpurging.interval); none with --read-only.",
    ),
]
StorageUrl = Annotated[
    str | None,
    typer.Option(
        "--storage",
        help="Keep everything in Google Cloud Storage, gs://BUCKET/PREFIX, in "
        "Distribution's layout (needs containerregistry-registry[gcs]).",
    ),
]
Server = Annotated[
    str,
    typer.Option(
        "--server",
        help="The HTTP server: builtin, or gunicorn for --workers (pip install "
        "'containerregistry-registry[server]').",
    ),
]
Workers = Annotated[
    int,
    typer.Option(
        "--workers",
        help="Server processes (gunicorn only; more than 1 needs --disk or --storage).",
    ),
]
Threads = Annotated[int, typer.Option("--threads", help="Threads per gunicorn worker.")]
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
    read_only: ReadOnly = False,
    max_upload_size: MaxUploadSize = None,
    read_timeout: ReadTimeout = 300.0,
    upload_purging_age: PurgingAge = 900.0,
    upload_purging_interval: PurgingInterval = 60.0,
    storage_url: StorageUrl = None,
    server: Server = "builtin",
    workers: Workers = 1,
    threads: Threads = 16,
) -> None:
    """Serve a registry implementation (in memory, on disk with --disk, or in a
    bucket with --storage gs://BUCKET/PREFIX)."""
    from containerregistry import registry
    from containerregistry.crane.cli._run import SERVER_SWITCH_INTERVAL

    sys.setswitchinterval(SERVER_SWITCH_INTERVAL)

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
    if not read_timeout > 0:
        raise typer.BadParameter("--read-timeout must be a number of seconds above 0")
    for flag, seconds in (
        ("--upload-purging-age", upload_purging_age),
        ("--upload-purging-interval", upload_purging_interval),
    ):
        if not seconds >= 0:
            raise typer.BadParameter(f"{flag} must be a number of seconds, 0 or more")
    if disk and storage_url:
        raise typer.BadParameter("--disk and --storage both name a storage; give one")
    storage: registry.Storage | None = None
    if storage_url:
        try:
            storage = registry.GcsStorage(storage_url)
        except registry.StorageUrlError as exc:
            raise typer.BadParameter(str(exc)) from None
    elif disk:
        storage = registry.DiskStorage(disk)
    app = registry.Registry(
        storage=storage,
        auth=authorizer,
        gcr=gcr,
        referrers=referrers,
        read_only=read_only,
        max_upload_size=max_upload_size,
        upload_purging_age=upload_purging_age,
        upload_purging_interval=upload_purging_interval,
    )
    if workers > 1 and storage is None:
        raise typer.BadParameter(
            "--workers above 1 needs --disk or --storage: memory is per process"
        )

    def _ready(port: int) -> None:
        print(f"serving on port {port}", file=sys.stderr, flush=True)

    try:
        registry.serve(
            app,
            address=address or _default_address(),
            server=server,
            workers=workers,
            threads=threads,
            on_ready=_ready,
            read_timeout=read_timeout,
        )
    except registry.ServerListenError as exc:
        raise fail(exc.message(flag="--address")) from None


def gc(
    location: Annotated[
        str,
        typer.Argument(
            metavar="STORAGE",
            help="The registry's --disk directory, or its --storage gs://BUCKET/PREFIX.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only print what would be removed.")
    ] = False,
    delete_untagged: Annotated[
        bool,
        typer.Option(
            "--delete-untagged",
            help="Also remove manifests no tag, tagged index or kept subject refers to.",
        ),
    ] = False,
) -> None:
    """Remove blobs (and with --delete-untagged, manifests) nothing refers to.

    Run it while the registry serves with --read-only, or is stopped.
    """
    import pathlib

    from containerregistry import registry

    storage: registry.Storage
    if location.startswith("gs://"):
        try:
            storage = registry.GcsStorage(location)
        except registry.StorageUrlError as exc:
            raise typer.BadParameter(str(exc)) from None
        if not storage.driver.list("docker/registry/v2"):
            raise typer.BadParameter(
                f"{location} holds no registry storage (no docker/registry/v2/ objects "
                "under it); name the bucket and prefix the registry serves"
            )
    elif (pathlib.Path(location) / "docker").is_dir():
        storage = registry.DiskStorage(location)
    else:
        raise typer.BadParameter(f"{location} holds no registry storage (no docker/ in it)")
    report = registry.collect_garbage(
        storage,
        dry_run=dry_run,
        delete_untagged=delete_untagged,
        log=print,
    )
    verb = "would free" if dry_run else "freed"
    print(
        f"{len(report.manifests)} manifests, {len(report.blobs)} blobs, "
        f"{verb} {report.bytes_freed} bytes",
        file=sys.stderr,
    )


def build() -> typer.Typer:
    """The ``registry`` command group."""
    group = typer.Typer(help="Run a container registry.", no_args_is_help=True)
    group.command("serve")(serve)
    group.command("gc")(gc)
    return group
