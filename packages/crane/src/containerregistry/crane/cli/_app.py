"""The application factory and the root callback with crane's global flags."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from containerregistry.crane.cli import (
    _auth,
    _blob,
    _catalog,
    _cobra,
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
    REPORTER_KEY,
    AllowNondistributable,
    GlobalOptions,
    Insecure,
    PlatformOption,
    Quiet,
    Verbose,
)

if TYPE_CHECKING:
    # typer 0.28 vendors click; its Context is what parse_args is given.
    from typer._click import Context as ClickContext

    from containerregistry.authn import Keychain

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


class PersistentFlagsGroup(TyperGroup):
    """Typer's root group that also reads its options after the subcommand.

    crane's global flags are cobra persistent flags, so ``crane digest IMAGE
    --platform linux/arm64`` works as ``crane --platform linux/arm64 digest IMAGE``
    does (see :mod:`containerregistry.crane.cli._persistent`).
    """

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        """Move the global flags that follow the subcommand before it, then parse."""
        from containerregistry.crane.cli._persistent import hoist

        return super().parse_args(ctx, hoist(self, args))


def _stderr_reporting(ctx: typer.Context, *, verbose: bool, quiet: bool) -> None:
    """Show the library's warnings, progress and (with -v) debug logs on stderr for this run.

    The reporter is kept in ``ctx.meta`` so that ``crane_options`` hands its bar to the
    library; it is closed (bar stopped, HTTP warnings printed) when the command ends.
    """
    from containerregistry.crane.cli._progress import Reporter, choose_mode

    command = ctx.invoked_subcommand
    reporter = Reporter(choose_mode(quiet=quiet, command=command), label=command or "")
    reporter.install(verbose=verbose)
    ctx.meta[REPORTER_KEY] = reporter
    ctx.call_on_close(reporter.close)


def _root_with(keychain: Keychain | None) -> Callable[..., None]:
    """The root callback; every command's options carry ``keychain`` (None: docker's)."""

    def _root(
        ctx: typer.Context,
        verbose: Verbose = False,
        insecure: Insecure = False,
        platform: PlatformOption = "all",
        allow_nondistributable_artifacts: AllowNondistributable = False,
        quiet: Quiet = False,
    ) -> None:
        ctx.obj = GlobalOptions(
            verbose=verbose,
            insecure=insecure,
            platform=platform,
            allow_nondistributable_artifacts=allow_nondistributable_artifacts,
            keychain=keychain,
            quiet=quiet,
        )
        _stderr_reporting(ctx, verbose=verbose, quiet=quiet)

    return _root


def build_app(name: str = "crane", *, keychain: Keychain | None = None) -> typer.Typer:
    """Build the CLI named ``name`` (default ``crane``) with every crane command.

    ``keychain`` finds the credentials of every command (default None: the docker
    and podman files). gcrane and kcrane call this, then replace or add commands.
    """
    app = typer.Typer(
        name=name,
        cls=PersistentFlagsGroup,
        help=f"{name} is a tool for managing container images.",
        no_args_is_help=True,
        # typer's --install-completion / --show-completion (bash, zsh, fish, PowerShell).
        add_completion=True,
        pretty_exceptions_enable=False,
        # Help texts contain brackets such as os/arch[/variant]; they are not markup.
        rich_markup_mode=None,
    )
    app.callback()(_root_with(keychain))
    app.add_typer(_registry.build(), name="registry")
    for module in _OWN_COMMANDS:
        module.register(app)
    _register_optional(app)
    _cobra.register(app)
    return app
