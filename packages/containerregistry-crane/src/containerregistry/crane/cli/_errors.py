"""How commands fail: one ``Error: <message>`` line on stderr and exit code 1, as crane."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

P = ParamSpec("P")
R = TypeVar("R")


#: How the CLI tells the user to pick another platform: by its flag.
PLATFORM_HINT = "pass --platform with one of those"


def _api_hints(error: BaseException) -> list[str]:
    """The Python-API hints (``platform=``) carried by ``error`` and the errors behind it."""
    hints = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        hint = getattr(current, "hint", None)
        if isinstance(hint, str) and "platform=" in hint:
            hints.append(hint)
        current = current.__cause__ or current.__context__
    return hints


def error_line(error: BaseException) -> str:
    """Return ``error`` as crane prints it: ``Error: <message>`` on a single line.

    A hint written for the Python API (``pass platform= ...``), in the error or in a
    wrapped one, is told in the CLI's words (``pass --platform ...``).
    """
    message = str(error).strip() or type(error).__name__
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{error.strerror}: {error.filename}"
    for hint in _api_hints(error):
        message = message.replace(hint, PLATFORM_HINT)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return "Error: " + "; ".join(lines)


def fail(message: str) -> typer.Exit:
    """Print ``Error: <message>`` to stderr and return the exit to raise (code 1)."""
    print(f"Error: {message}", file=sys.stderr, flush=True)
    return typer.Exit(1)


def reported(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so that any failure prints one ``Error:`` line and exits 1."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except (KeyboardInterrupt, BrokenPipeError):
            raise  # a closed stdout ends the program silently (see _run)
        except Exception as error:  # every failure becomes one line
            print(error_line(error), file=sys.stderr, flush=True)
            raise typer.Exit(1) from error

    return run
