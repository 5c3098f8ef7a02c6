"""Running a CLI app fast: convert only the commands this invocation can reach.

Typer turns every registered command into a click command before it parses the
arguments, reading each function's signature and type hints; with crane's thirty
commands that is most of the start-up time. :func:`reachable` gives a copy of the
app in which the commands named on the command line keep their real callbacks and
every other command is a parameterless stand-in carrying the same name and help,
so ``--help`` lists the same commands and the one that runs is the real one.
"""

from __future__ import annotations

import copy
import gc
import inspect
import sys
from collections.abc import Sequence
from typing import NoReturn

import typer
from typer.models import CommandInfo, TyperInfo

from containerregistry.crane.cli._errors import error_line


def _command_name(info: CommandInfo) -> str:
    """The name typer gives a command: its registered name or its function's, dashed."""
    if info.name:
        return info.name
    callback = info.callback
    return getattr(callback, "__name__", "").lower().replace("_", "-")


def _group_name(info: TyperInfo) -> str | None:
    name = info.name
    return name if isinstance(name, str) else None


def _stand_in(info: CommandInfo) -> CommandInfo:
    """A copy of ``info`` whose callback takes no parameters but has the same name and doc."""
    original = info.callback

    def stand_in() -> None:  # never runs: only commands named on the command line run
        raise typer.Exit(0)

    stand_in.__name__ = getattr(original, "__name__", "stand_in")
    stand_in.__doc__ = inspect.getdoc(original) if original is not None else None
    replaced = copy.copy(info)
    replaced.callback = stand_in
    return replaced


def reachable(app: typer.Typer, argv: Sequence[str]) -> typer.Typer:
    """Return a copy of ``app`` in which only the commands named in ``argv`` are real.

    A command or group counts as named when its name is one of the arguments; a
    group that is named keeps all of its commands. Anything else becomes a stand-in
    that lists identically in ``--help``. ``app`` itself is not changed.
    """
    words = set(argv)
    trimmed = copy.copy(app)
    trimmed.registered_commands = [
        info if _command_name(info) in words else _stand_in(info)
        for info in app.registered_commands
    ]
    groups = []
    for info in app.registered_groups:
        instance = info.typer_instance
        if _group_name(info) in words or not isinstance(instance, typer.Typer):
            groups.append(info)
            continue
        replaced = copy.copy(info)
        replaced.typer_instance = reachable(instance, ())
        groups.append(replaced)
    trimmed.registered_groups = groups
    return trimmed


#: The interpreter's thread switch interval in a CLI process, in seconds (Python's
#: default is 0.005). The commands' worker threads spend their time in C that lets
#: go of the GIL (inflating, hashing, socket and file I/O) and need it back after each
#: call; while another thread runs Python (a tar being parsed and merged), each of
#: those takes waits up to one interval. At 1 ms, ``crane export`` of the benchmark
#: image took 0.92x the time (median of 9 paired runs; 0.2 ms gave 0.94x).
SWITCH_INTERVAL = 0.001
#: ``crane registry serve`` goes back to Python's default: its request threads took
#: uploads about 5 % slower at 1 ms (``tools/bench/registry_serve.py``, 5 runs each).
SERVER_SWITCH_INTERVAL = 0.005


def run(app: typer.Typer, name: str, argv: Sequence[str] | None = None) -> NoReturn:
    """Run ``app`` as the program ``name`` on ``argv`` (default ``sys.argv[1:]``) and exit.

    Every failure exits with code 1 as crane's do: usage mistakes print click's usage
    and ``Error: <message>``, other failures one ``Error: <message>`` line, on stderr.
    A group named without a subcommand prints its help and exits 0 where crane does
    (:data:`BARE_GROUP_HELP`).
    The process's thread switch interval is set to :data:`SWITCH_INTERVAL` first.
    Before exiting it freezes the garbage collector (:func:`gc.freeze`), which makes
    the interpreter's teardown cheap; call it only as the last thing a process does.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        _run_and_exit(app, name, arguments)
    finally:
        # The process ends next, and the interpreter's teardown runs full cyclic
        # collections over every live object (requests, Typer and their modules:
        # about 80 ms here). Frozen objects are left out of those collections;
        # teardown still releases them by reference count, and the commands have
        # closed what they opened before they return.
        gc.freeze()


def _run_and_exit(app: typer.Typer, name: str, arguments: list[str]) -> NoReturn:
    try:
        code = reachable(app, arguments)(arguments, prog_name=name, standalone_mode=False)
        sys.stdout.flush()  # here, not at exit, so that a closed pipe is seen below
    except BrokenPipeError:
        _exit_on_closed_stdout()
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        sys.exit(1)
    except typer.TyperException as mistake:
        _exit_if_bare_group(mistake)
        show = getattr(mistake, "show", None)
        if callable(show):
            show()
        else:
            print(error_line(mistake), file=sys.stderr)
        sys.exit(1)
    except Exception as error:  # every failure exits 1, as crane
        print(error_line(error), file=sys.stderr)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


#: Where the help of a group named without a subcommand goes, as crane (cobra) does
#: it, by the group's path after the program name; the exit code is 0. Groups with
#: no ``Run`` of their own (``registry``, ``layout``, ``completion``) print their
#: help on stdout; the root and ``auth`` run ``cmd.Usage()``, which writes to stderr.
#: Groups not listed (``index``, ``edit``: crane wants an argument there) fail with
#: exit code 1, usage on stderr.
BARE_GROUP_HELP = {
    "": "stderr",
    "auth": "stderr",
    "registry": "stdout",
    "layout": "stdout",
    "completion": "stdout",
}


def _exit_if_bare_group(mistake: typer.TyperException) -> None:
    """A group named without a subcommand: print its help where crane does and exit 0.

    Click raises its ``NoArgsIsHelpError`` (a usage error carrying the group's
    context) there, or, when the group was given options only (``crane
    --insecure``), a usage error saying "Missing command." (in click's words, which
    :func:`gettext.gettext` translates as click does). The error is recognised by
    name, as Typer itself does, since click is not public in Typer. Anything else
    returns.
    """
    from gettext import gettext

    kind = type(mistake).__name__
    missing = kind == "UsageError" and getattr(mistake, "message", None) == gettext(
        "Missing command."
    )
    if kind != "NoArgsIsHelpError" and not missing:
        return
    ctx = getattr(mistake, "ctx", None)
    if ctx is None:
        return
    path = ctx.command_path.split(" ", 1)[1] if " " in ctx.command_path else ""
    stream = BARE_GROUP_HELP.get(path)
    if stream is None:
        return
    print(ctx.get_help(), file=sys.stdout if stream == "stdout" else sys.stderr)
    sys.exit(0)


def _exit_on_closed_stdout() -> NoReturn:
    """Whoever read stdout went away (``crane blob ... | head -c 10``): exit 1, silently.

    As click does when a command hits the closed pipe itself; this covers the last
    flush. Python would otherwise print ``Exception ignored ... BrokenPipeError``.
    """
    import contextlib
    import os

    # Nothing more can be written there; the exit-time flush must not try.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(1)
