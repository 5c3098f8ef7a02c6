"""The commands cobra gives every CLI, crane's included: ``help`` and ``completion``.

``crane help [COMMAND...]`` prints that command's help (the root's without one).
``crane completion SHELL`` prints the shell's completion script, for
``crane completion bash > /etc/bash_completion.d/crane`` as people write it in
Dockerfiles; the script is Typer's (the one ``--show-completion`` prints).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported

if TYPE_CHECKING:
    # typer 0.28 vendors click; find_root() gives its Context.
    from typer._click import Context as ClickContext

#: The shells ``completion`` writes scripts for, as cobra names them.
SHELLS = ("bash", "zsh", "fish", "powershell")


def help_command(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None, typer.Argument(help="The command (and subcommands) to describe.")
    ] = None,
) -> None:
    """Help about any command."""
    root = ctx.find_root()
    words = command or []
    found = _command_path(root, words)
    if words and not found:
        # As cobra: an unknown topic is not a failure; say so, then the root's usage.
        print(f"Unknown help topic [`{' '.join(words)}`]", file=sys.stderr)
        print(root.get_help(), file=sys.stderr)
        raise typer.Exit(0)
    # The same text as "<command> --help", whatever the command is; as cobra, words
    # after the deepest command found are ignored.
    root.command.main([*found, "--help"], prog_name=root.info_name, standalone_mode=False)


def _command_path(root: ClickContext, words: list[str]) -> list[str]:
    """The longest start of ``words`` that walks from the root through groups to a command."""
    current = root.command
    path: list[str] = []
    for word in words:
        lookup = getattr(current, "get_command", None)
        found = lookup(root, word) if callable(lookup) else None
        if found is None:
            break
        path.append(word)
        current = found
    return path


def _completion(shell: str) -> Callable[[typer.Context], None]:
    @reported
    def script(ctx: typer.Context) -> None:
        from typer._completion_shared import get_completion_script

        program = ctx.find_root().info_name or "crane"
        variable = "_{}_COMPLETE".format(program.replace("-", "_").upper())
        print(get_completion_script(prog_name=program, complete_var=variable, shell=shell))

    script.__doc__ = f"Generate the autocompletion script for {shell}."
    return script


def build_completion() -> typer.Typer:
    """The ``completion`` group: one command per shell."""
    group = typer.Typer(
        help="Generate the autocompletion script for the specified shell.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
    )
    for shell in SHELLS:
        group.command(shell)(_completion(shell))
    return group


def register(app: typer.Typer) -> None:
    """Add ``help`` and ``completion`` to ``app``."""
    app.command("help", help=help_command.__doc__)(help_command)
    app.add_typer(build_completion(), name="completion")
