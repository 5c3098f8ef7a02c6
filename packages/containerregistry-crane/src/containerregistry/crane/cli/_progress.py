"""What a command shows on stderr while it works, and the HTTP warnings shown at exit.

Three modes: on a terminal the commands that move images (pull, push, copy, append,
export) draw a rich progress bar from the library's ``Update`` reports, with the
progress logger's lines printed above it; elsewhere those lines are printed plainly
with Go's log prefix, as crane does; ``--quiet`` shows neither. Warnings and errors
are always shown. On a terminal every wait before a retry is said too ("connection
to HOST refused, retrying in 2.1 s (try 2 of 5)"); ``--verbose`` shows everything
the library logs. ``rich`` is imported only when a bar is actually drawn.

This is the one place where the three CLIs (crane, gcrane, kcrane share the root
callback) attach logging handlers: one handler per run, on as few loggers as
cover what is shown, so that no line reaches it twice by propagation.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import sys
import threading
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from containerregistry.v1 import Update

#: Go's log.LstdFlags prefix, which crane puts before every stderr line.
LOG_FORMAT = "%(asctime)s %(message)s"
LOG_DATE = "%Y/%m/%d %H:%M:%S"

#: Commands whose work is worth a bar: they move whole images.
BAR_COMMANDS = frozenset({"append", "copy", "cp", "export", "pull", "push"})

#: Where the transport reports each ``Warning`` response header (its raw value).
WARNING_LOGGER = "containerregistry.transport.warning"
#: Where the transport says each wait before a retry (its ``RETRY_LOGGER``; not
#: imported from there, which would load requests at every start).
RETRY_LOGGER = "containerregistry.transport.retry"
#: The root of every logger of the library.
LIBRARY_LOGGER = "containerregistry"

# RFC 7234 warning-value: warn-code SP warn-agent SP quoted warn-text [SP warn-date]
_WARNING = re.compile(r'\s*(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"')


class Mode(enum.Enum):
    """How progress is shown."""

    BAR = "bar"  # a rich bar on a terminal
    PLAIN = "plain"  # crane's lines
    QUIET = "quiet"  # nothing but warnings and errors


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default stderr) is a terminal that is not ``TERM=dumb``."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return bool(callable(isatty) and isatty()) and os.environ.get("TERM") != "dumb"


def choose_mode(*, quiet: bool, command: str | None, stream: TextIO | None = None) -> Mode:
    """Pick the mode: quiet wins; a bar needs a bar command and a terminal on ``stream``."""
    if quiet:
        return Mode.QUIET
    return Mode.BAR if is_terminal(stream) and command in BAR_COMMANDS else Mode.PLAIN


def covering(names: list[str]) -> list[str]:
    """``names`` without those below another of them (``a.b`` goes when ``a`` is there).

    A record propagates from ``a.b`` to ``a``: a handler on both would show it twice.
    """
    return [
        name
        for name in dict.fromkeys(names)
        if not any(name.startswith(other + ".") for other in names if other != name)
    ]


def parse_warnings(header: str) -> list[str]:
    """Return the texts of the ``299`` (persistent, miscellaneous) warnings in ``header``."""
    found = []
    for match in _WARNING.finditer(header):
        if match.group(1) == "299":
            found.append(re.sub(r"\\(.)", r"\1", match.group(2)))
    return found


def _colour() -> bool:
    return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


class Reporter(logging.Handler):
    """Shows the library's log lines and progress for one command run.

    Attach it with :meth:`install`; give :meth:`update` to the library as its
    ``progress`` callback; :meth:`close` stops the bar and prints the warnings.
    """

    def __init__(self, mode: Mode, *, stream: TextIO | None = None, label: str = "") -> None:
        super().__init__(logging.DEBUG)
        self.mode = mode
        self.stream = stream if stream is not None else sys.stderr
        self.label = label
        self.warnings: set[str] = set()
        self.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE))
        self._bar: Any = None
        self._task: Any = None
        self._lock = threading.Lock()
        self._installed: list[tuple[logging.Logger, int]] = []

    # -- logging ------------------------------------------------------------------------

    def install(self, *, verbose: bool, retries: bool = False) -> None:
        """Send the library's lines here, each once.

        The warn logger and the transport's warnings always; unless quiet, the
        progress logger, and with ``retries`` (default False; the CLIs pass "stderr
        is a terminal") each wait before a retry; with ``verbose`` every logger of
        the library at DEBUG. The handler goes on the loggers that cover these and
        no lower (see :func:`covering`).
        """
        names = ["containerregistry.warn", WARNING_LOGGER]
        if self.mode is not Mode.QUIET:
            names.append("containerregistry.progress")
            if retries:
                names.append(RETRY_LOGGER)
        if verbose:
            names.append(LIBRARY_LOGGER)
        for logger_name in covering(names):
            logger = logging.getLogger(logger_name)
            self._installed.append((logger, logger.level))
            logger.addHandler(self)
            logger.setLevel(logging.DEBUG if verbose else logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        """Collect a transport warning, or print the line (above the bar when there is one)."""
        try:
            if record.name == WARNING_LOGGER:
                self.warnings.update(parse_warnings(record.getMessage()))
                return
            line = self.format(record)
            with self._lock:
                if self._bar is not None:
                    self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
                    return
            self.stream.write(line + "\n")
            self.stream.flush()
        except Exception:
            self.handleError(record)

    # -- progress -----------------------------------------------------------------------

    def callback(self) -> Any:
        """The ``progress`` option to pass to the library, or None when no bar is drawn."""
        return self.update if self.mode is Mode.BAR else None

    def update(self, update: Update) -> None:
        """Move the bar to ``update`` (bytes complete of total)."""
        if self.mode is not Mode.BAR:
            return
        with self._lock:
            if self._bar is None:
                self._start()
            self._bar.update(self._task, total=update.total or None, completed=update.complete)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = Console(file=self.stream, no_color="NO_COLOR" in os.environ)
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
        )
        self._bar.start()
        self._task = self._bar.add_task(self.label, total=None)

    def close(self) -> None:
        """Stop the bar, detach from the loggers and print the collected warnings."""
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
        for logger, level in self._installed:
            logger.removeHandler(self)
            logger.setLevel(level)
        self._installed.clear()
        self.print_warnings()
        super().close()

    def print_warnings(self) -> None:
        """Print each collected warning once, sorted, as ``[WARNING]: msg`` (yellow)."""
        if not self.warnings:
            return
        yellow = _colour()
        for text in sorted(self.warnings):
            line = f"[WARNING]: {text}"
            self.stream.write(f"\x1b[33m{line}\x1b[0m\n" if yellow else line + "\n")
        self.stream.flush()
        self.warnings.clear()
