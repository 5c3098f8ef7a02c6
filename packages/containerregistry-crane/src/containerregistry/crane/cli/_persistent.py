"""Global flags anywhere on the command line, as cobra's persistent flags are.

crane's global flags (``-v``, ``--insecure``, ``--platform``, ...) are cobra
*persistent* flags: ``crane digest IMAGE --platform linux/arm64`` and
``crane --platform linux/arm64 digest IMAGE`` mean the same, and scripts use both.
click only reads a group's options before the subcommand, so :func:`hoist` moves
the root's options that follow the subcommand in front of it. A subcommand's own
option of the same name (``pull --platform``) stays where it is and wins, and
nothing after ``--`` moves.

cobra's boolean flags also take a value, ``--full-ref=true`` or
``--insecure=false`` (any of Go's ``strconv.ParseBool`` spellings); click's flags
take none, so those become the bare flag or are dropped.

Only the command objects are read (``params``, ``commands``); nothing here imports
click or Typer.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

#: Root options that are not global flags: Typer's completion installers.
_ROOT_ONLY = frozenset({"install_completion", "show_completion"})
#: What Go's strconv.ParseBool reads as true and as false.
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def _options(command: Any, *, skip: frozenset[str] = frozenset()) -> dict[str, bool]:
    """Every option string of ``command`` mapped to whether it takes a value."""
    found: dict[str, bool] = {}
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") != "option" or param.name in skip:
            continue
        takes_value = not (getattr(param, "is_flag", False) or getattr(param, "count", False))
        for text in (*param.opts, *param.secondary_opts):
            found[text] = takes_value
    return found


def _key(token: str) -> str:
    """The option a token names: ``--name`` of ``--name=value``, ``-x`` of ``-x...``."""
    if token.startswith("--"):
        return token.split("=", 1)[0]
    return token[:2]


def _is_option(token: str) -> bool:
    return token.startswith("-") and token not in ("-", "--")


def _take(tokens: Sequence[str], at: int, takes_value: bool, into: list[str]) -> int:
    """Copy the option at ``at`` (and its separate value) into ``into``; return the next index.

    A flag given a boolean value (``--full-ref=true``) is copied bare, or not at all
    when the value is false.
    """
    token = tokens[at]
    if not takes_value and token.startswith("--") and "=" in token:
        flag, _, value = token.partition("=")
        if value in _TRUE:
            into.append(flag)
            return at + 1
        if value in _FALSE:
            return at + 1
    into.append(token)
    attached = "=" in token if token.startswith("--") else len(token) > 2
    if takes_value and not attached and at + 1 < len(tokens):
        into.append(tokens[at + 1])
        return at + 2
    return at + 1


def hoist(root: Any, argv: Sequence[str]) -> list[str]:
    """``argv`` with the root's options that follow the subcommand moved before it.

    ``root`` is the click group of the CLI. Options of the subcommand (and of the
    groups on the way to it) keep their place, with their values; so do unknown
    options, arguments, and everything from ``--`` on. Known flags given a boolean
    value are rewritten as click reads flags (see the module's description).
    """
    tokens = list(argv)
    global_options = _options(root, skip=_ROOT_ONLY)
    head: list[str] = []
    at = 0
    while at < len(tokens) and _is_option(tokens[at]):
        key = _key(tokens[at])
        if key in global_options:
            at = _take(tokens, at, global_options[key], head)
        else:  # unknown here: click says so
            head.append(tokens[at])
            at += 1
    path: list[str] = []
    local: dict[str, bool] = {}
    command = root
    while at < len(tokens) and tokens[at] in getattr(command, "commands", {}):
        command = command.commands[tokens[at]]
        local.update(_options(command))
        path.append(tokens[at])
        at += 1
    if not path:
        return [*head, *tokens[at:]]
    moved: list[str] = []
    kept: list[str] = []
    while at < len(tokens):
        token = tokens[at]
        if token == "--":
            kept.extend(tokens[at:])
            break
        key = _key(token) if _is_option(token) else ""
        if key in local:
            at = _take(tokens, at, local[key], kept)
        elif key in global_options:
            at = _take(tokens, at, global_options[key], moved)
        else:
            kept.append(token)
            at += 1
    return [*head, *moved, *path, *kept]
