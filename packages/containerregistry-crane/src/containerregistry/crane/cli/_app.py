"""The application factory and the root callback with crane's global flags."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

import typer
from typer.core import TyperGroup

from containerregistry.crane.cli import _cobra
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

#: The modules that register crane's commands, in registration order (the order
#: ``--help`` lists them in), each with the command and group names it registers.
#: ``_registry`` builds the ``registry`` group; every other module has
#: ``register(app: typer.Typer) -> None``.
_COMMAND_MODULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("_registry", frozenset({"registry"})),
    ("_auth", frozenset({"auth"})),
    ("_blob", frozenset({"blob"})),
    ("_catalog", frozenset({"catalog"})),
    ("_config", frozenset({"config"})),
    ("_copy", frozenset({"copy", "cp"})),
    ("_delete", frozenset({"delete"})),
    ("_digest", frozenset({"digest"})),
    ("_layout", frozenset({"layout"})),
    ("_ls", frozenset({"ls"})),
    ("_manifest", frozenset({"manifest"})),
    ("_pull", frozenset({"pull"})),
    ("_push", frozenset({"push"})),
    ("_tag", frozenset({"tag"})),
    ("_validate", frozenset({"validate"})),
    ("_version", frozenset({"version"})),
    ("_append", frozenset({"append"})),
    ("_mutate", frozenset({"mutate"})),
    ("_flatten", frozenset({"flatten"})),
    ("_rebase", frozenset({"rebase"})),
    ("_export", frozenset({"export"})),
    ("_index", frozenset({"index"})),
    ("_edit", frozenset({"edit"})),
)

#: Words after which the whole command list may be shown: every command is needed.
_LISTING_WORDS = frozenset({"--help", "help"})


def command_filter(
    argv: Sequence[str] | None, own_commands: Collection[str] = ()
) -> Callable[[Collection[str]], bool]:
    """Which command modules a run on ``argv`` needs: a test on a module's command names.

    ``argv`` (None: every module is needed) is the command line after the program
    name. A run that names commands needs only theirs: the others are neither parsed
    nor listed. Help, shell completion and a command line that names no known
    command (a typo gets click's "No such command" with suggestions) need them all.
    ``own_commands`` (default none) are the names a caller such as gcrane registers
    itself; they count as known commands.
    """
    if argv is None:
        return lambda names: True
    words = frozenset(argv)
    completing = any(k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)
    named = bool(words & frozenset(own_commands)) or any(
        words & names for _, names in _COMMAND_MODULES
    )
    if completing or not named or words & _LISTING_WORDS:
        return lambda names: True
    return lambda names: not words.isdisjoint(names)


def _register_commands(
    app: typer.Typer, argv: Sequence[str] | None, own_commands: Collection[str]
) -> None:
    wanted = command_filter(argv, own_commands)
    replaced = frozenset(own_commands)
    for module_name, names in _COMMAND_MODULES:
        if names <= replaced or not wanted(names):
            continue
        module = importlib.import_module(f"{__package__}.{module_name}")
        if module_name == "_registry":
            app.add_typer(module.build(), name="registry")
        else:
            module.register(app)


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
    from containerregistry.crane.cli._progress import Reporter, choose_mode, is_terminal

    command = ctx.invoked_subcommand
    reporter = Reporter(choose_mode(quiet=quiet, command=command), label=command or "")
    reporter.install(verbose=verbose, retries=is_terminal())
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


def build_app(
    name: str = "crane",
    *,
    keychain: Keychain | None = None,
    argv: Sequence[str] | None = None,
    own_commands: Collection[str] = (),
) -> typer.Typer:
    """Build the CLI named ``name`` (default ``crane``) with every crane command.

    ``keychain`` finds the credentials of every command (default None: the docker
    and podman files). ``argv`` (default None: every command) is the command line
    the app will run: given, only the modules of the commands it names are loaded
    and registered (all of them for help, completion or no known command), which
    keeps a plain command's start cheap. ``own_commands`` (default none) are the
    names of the commands the caller registers itself: crane's module for them is not
    loaded when it registers nothing else, and they count as known in ``argv``.
    gcrane and kcrane call this, then replace or add commands.
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
    _register_commands(app, argv, own_commands)
    _cobra.register(app)
    return app
