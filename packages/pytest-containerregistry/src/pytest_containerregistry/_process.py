"""``crane registry serve`` as a child process: started, waited for, stopped.

For tests (and benchmarks) that need the registry in a process of its own: several
instances on one ``--disk`` or bucket, gunicorn workers, a server that is stopped and
started again on the same storage, or a CLI under test that talks to a separate
process. Only the standard library is imported here.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping

from pytest_containerregistry._embedded import RegistryFixtureError

#: Seconds to wait for the "serving on port N" line: a cold interpreter imports
#: typer and the registry first, and CI machines can be slow and busy.
START_TIMEOUT = 60.0
#: Seconds a process has to exit after SIGTERM before it is killed.
STOP_TIMEOUT = 30.0
#: Lines of stderr kept, the last ones: enough to explain a failure, and bounded for
#: a long run (stderr is always read, so a chatty server never blocks on the pipe).
KEPT_LINES = 200

_READY = re.compile(r"serving on port (\d+)")


class RegistryProcess:
    """A ``crane registry serve`` child process serving on loopback.

    ``str()`` of it is its ``127.0.0.1:PORT``; use it as a context manager, or call
    :meth:`stop`, to end it.
    """

    def __init__(
        self,
        process: subprocess.Popen[str],
        port: int,
        lines: collections.deque[str],
        reader: threading.Thread,
    ) -> None:
        #: The child process (``.pid`` for its memory or CPU time, ``.poll()``).
        self.process = process
        #: The port it serves on.
        self.port = port
        self._lines = lines
        self._reader = reader

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``."""
        return f"127.0.0.1:{self.port}"

    def __str__(self) -> str:
        return self.host

    def reference(self, path: str) -> str:
        """``host:port/path``: e.g. ``reference("app:1")`` is ``127.0.0.1:PORT/app:1``."""
        return f"{self.host}/{path.lstrip('/')}"

    @property
    def stderr(self) -> str:
        """What the process wrote to stderr after its ready line (the last
        :data:`KEPT_LINES` lines); complete once :meth:`stop` returns."""
        return "".join(self._lines)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """Send SIGTERM and wait up to ``timeout`` seconds (default 30), then SIGKILL;
        return the exit status (0 for a clean stop, negative for a signal). A process
        that has already exited just gives its status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join()
        return int(self.process.returncode)

    def __enter__(self) -> RegistryProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_registry_process(
    *args: str,
    address: str = "127.0.0.1:0",
    env: Mapping[str, str] | None = None,
    timeout: float = START_TIMEOUT,
) -> RegistryProcess:
    """Run ``python -m containerregistry.crane.cli registry serve --address ADDRESS
    ARGS`` with this interpreter and return once it says it is serving.

    ``address`` defaults to a free loopback port (``127.0.0.1:0``); ``args`` are more
    ``registry serve`` flags (``--disk DIR``, ``--storage gs://B/P``, ``--gcr``,
    ``--server gunicorn --workers 2``, ...); ``env`` defaults to this process's
    environment. Needs the ``crane`` distribution installed. A process that exits or
    stays silent for ``timeout`` seconds (default 60) is killed and
    :class:`RegistryFixtureError` says what it wrote.
    """
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "containerregistry.crane.cli",
            "registry",
            "serve",
            "--address",
            address,
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ if env is None else env),
    )
    lines: collections.deque[str] = collections.deque(maxlen=KEPT_LINES)
    ready = threading.Event()
    ports: list[int] = []

    def read() -> None:
        assert process.stderr is not None
        with process.stderr:
            for line in process.stderr:
                found = None if ports else _READY.search(line)
                if found:
                    ports.append(int(found.group(1)))
                    ready.set()
                else:
                    lines.append(line)
        ready.set()

    reader = threading.Thread(target=read, name=f"crane registry serve {process.pid}", daemon=True)
    reader.start()
    silent = not ready.wait(timeout)
    if not ports:
        if process.poll() is None:
            process.kill()
        status = process.wait()
        reader.join()
        said = "".join(lines).strip().splitlines()
        why = f"silent for {timeout:g} s" if silent else f"exit status {status}"
        raise RegistryFixtureError(
            f"crane registry serve did not start ({why}): "
            + (said[-1] if said else "it wrote nothing to stderr")
        )
    return RegistryProcess(process, ports[0], lines, reader)


class RegistryProcessFactory:
    """Starts ``crane registry serve`` processes and stops them all in :meth:`close`.

    ``factory("--disk", str(path))`` takes :func:`start_registry_process`'s arguments.
    """

    def __init__(self) -> None:
        self._started: list[RegistryProcess] = []

    def __call__(
        self,
        *args: str,
        address: str = "127.0.0.1:0",
        env: Mapping[str, str] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> RegistryProcess:
        started = start_registry_process(*args, address=address, env=env, timeout=timeout)
        self._started.append(started)
        return started

    def close(self) -> None:
        """Stop every process this factory started (those already stopped stay so)."""
        while self._started:
            self._started.pop().stop()
