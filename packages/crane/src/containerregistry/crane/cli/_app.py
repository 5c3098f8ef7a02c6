"""The application factory and the root callback with crane's global flags."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from containerregistry.crane.cli import (
    _auth,
    _blob,
    _catalog,
    _config,
    _copy,
    _delete,
    _digest,
    _layout,
    _ls,
    _manifest,
    _pull,
    _push,
    _registry,
    _tag,
    _validate,
    _version,
)
from containerregistry.crane.cli._options import (
    AllowNondistributable,
    GlobalOptions,
    Insecure,
    PlatformOption,
    Verbose,
)

if TYPE_CHECKING:
    from containerregistry.authn import Keychain

#: Go's log.LstdFlags prefix, which crane puts before every stderr line.
_LOG_FORMAT = "%(asctime)s %(message)s"
_LOG_DATE = "%Y/%m/%d %H:%M:%S"

_OWN_COMMANDS = (
    _auth,
    _blob,
    _catalog,
    _config,
    _copy,
    _delete,
    _digest,
    _layout,
    _ls,
    _manifest,
    _pull,
    _push,
    _tag,
    _validate,
    _version,
)

# --- commands of the mutate engineer: registered when their module exists ----------
# Each module exposes ``register(app: typer.Typer) -> None``; add a module by adding
# its file, the list below already names it.
_OPTIONAL_COMMANDS = ("_append", "_mutate", "_flatten", "_rebase", "_export", "_index", "_edit")


def _register_optional(app: typer.Typer) -> None:
    for module_name in _OPTIONAL_COMMANDS:
        qualified = f"{__package__}.{module_name}"
        if importlib.util.find_spec(qualified) is None:
            continue
        importlib.import_module(qualified).register(app)


# --- end of the optional commands ---------------------------------------------------


def _stderr_logging(ctx: typer.Context, verbose: bool) -> None:
    """Send the warn and progress loggers (and debug with -v) to stderr for this run."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_LOG_FORMAT, _LOG_DATE))
    names = ["containerregistry.warn", "containerregistry.progress"]
    if verbose:
        names.append("containerregistry")
    changed = []
    for logger_name in names:
        logger = logging.getLogger(logger_name)
        changed.append((logger, logger.level))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if verbose else logging.INFO)

    def restore() -> None:
        for logger, level in changed:
            logger.removeHandler(handler)
            logger.setLevel(level)

    ctx.call_on_close(restore)


def _root_with(keychain: Keychain | None) -> Callable[..., None]:
    """The root callback; every command's options carry ``keychain`` (None: docker's)."""

    def _root(
        ctx: typer.Context,
        verbose: Verbose = False,
        insecure: Insecure = False,
        platform: PlatformOption = "all",
        allow_nondistributable_artifacts: AllowNondistributable = False,
    ) -> None:
        ctx.obj = GlobalOptions(
            verbose=verbose,
            insecure=insecure,
            platform=platform,
            allow_nondistributable_artifacts=allow_nondistributable_artifacts,
            keychain=keychain,
        )
        _stderr_logging(ctx, verbose)

    return _root


def build_app(name: str = "crane", *, keychain: Keychain | None = None) -> typer.Typer:
    """Build the CLI named ``name`` (default ``crane``) with every crane command.

    ``keychain`` finds the credentials of every command (default None: the docker
    and podman files). gcrane and kcrane call this, then replace or add commands.
    """
    app = typer.Typer(
        name=name,
        help=f"{name} is a tool for managing container images.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        # Help texts contain brackets such as os/arch[/variant]; they are not markup.
        rich_markup_mode=None,
    )
    app.callback()(_root_with(keychain))
    app.add_typer(_registry.build(), name="registry")
    for module in _OWN_COMMANDS:
        module.register(app)
    _register_optional(app)
    return app
