"""Answers that need no Typer: the root ``--help`` and ``version``.

Importing Typer (and click under it) costs more than a whole Go crane run, and
these two answers never depend on the registry or on options. The root help is
rendered once by Typer itself (``tools/gen-cli-docs`` writes each CLI's
``_root_help.py``; a test fails when it is stale) and printed from there whenever
Typer would print the same bytes: click wraps help at the terminal's width capped
at 80 columns, so any terminal of 80 columns or more gets exactly this text.
Anything else (a narrower terminal, shell completion, other arguments) goes to Typer.

This module imports only the standard library's ``os`` and ``sys``.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: The width click renders help at when the terminal is this wide or wider.
HELP_WIDTH = 80


def terminal_columns() -> int:
    """The width :func:`shutil.get_terminal_size` reports (``COLUMNS``, the terminal, 80).

    The same rules, without importing shutil (and re, fnmatch, collections with it).
    """
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        measured = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        measured = 0
    return measured or 80


def _completion_requested() -> bool:
    """Whether a shell asked for completions (click reads ``_<PROG>_COMPLETE``)."""
    return any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ)


def answer(name: str, argv: Sequence[str], root_help: Mapping[str, str]) -> bool:
    """Print the answer to ``name argv`` and return True when Typer is not needed.

    ``root_help`` maps a program name to its rendered root ``--help``. Returns False
    (printing nothing) for every other invocation, which the caller hands to Typer.
    """
    if _completion_requested():
        return False
    if list(argv) == ["version"]:
        from containerregistry.crane._version import __version__

        sys.stdout.write(f"{__version__}\n")
        return True
    text = root_help.get(name)
    if list(argv) == ["--help"] and text is not None:
        if terminal_columns() < HELP_WIDTH:
            return False
        sys.stdout.write(text)
        return True
    return False


#: Container objects allocated between two young collections while a CLI runs
#: (Python's default is 700).
CLI_COLLECTION_THRESHOLD = 1_000_000


def collect_rarely() -> None:
    """Make the cyclic garbage collector's young collections rare, for the whole process.

    A CLI process imports requests, Typer and our modules (a few hundred thousand
    long-lived objects) and then moves bytes; at the default threshold about 75
    young collections scan those objects while they are imported (25 ms of a 650 ms
    pull). At this threshold start-up runs none, and a long command still collects
    after every :data:`CLI_COLLECTION_THRESHOLD` allocations. Call it first thing in a
    CLI's ``main``; a library must leave the caller's collector alone.
    """
    import gc

    _, older, oldest = gc.get_threshold()
    gc.set_threshold(CLI_COLLECTION_THRESHOLD, older, oldest)
