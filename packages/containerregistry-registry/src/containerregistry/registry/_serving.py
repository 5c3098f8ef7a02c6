"""Run the registry under a WSGI server: the built-in one, or gunicorn.

``serve`` binds the listening socket itself (so ``:0`` works and the port is known
before any request), tells ``on_ready`` the port, and blocks until SIGINT or
SIGTERM. The built-in server is the default because it did the most work per CPU
second in the load run (docs/registry-load.md: gunicorn's gthread workers, cheroot
and waitress all served fewer operations per second on the same machine); gunicorn
(the ``server`` extra) is there for what one process cannot do: ``workers`` processes
on one storage, using every core of a larger machine.
"""

from __future__ import annotations

import importlib.util
import signal
import socket
from collections.abc import Callable
from typing import Any

from containerregistry.errors import ContainerRegistryError
from containerregistry.registry._server import (
    DEFAULT_READ_TIMEOUT,
    listen_error,
    make_server,
    parse_address,
)

#: The servers ``serve`` knows.
SERVERS = ("builtin", "gunicorn")
#: Threads per worker process: enough for a burst of parallel layer pushes.
DEFAULT_THREADS = 16


class ServerUnavailableError(ContainerRegistryError, ValueError):
    """The chosen WSGI server is not installed or cannot serve this registry."""


def available(name: str) -> bool:
    """True when server ``name`` can be imported here."""
    if name == "builtin":
        return True
    return importlib.util.find_spec(name) is not None


def choose(name: str) -> str:
    """``name`` if it is one of :data:`SERVERS` and installed; otherwise
    :class:`ServerUnavailableError`, saying what to install."""
    if name not in SERVERS:
        raise ServerUnavailableError(f"--server {name!r} is not one of {', '.join(SERVERS)}")
    if not available(name):
        raise ServerUnavailableError(
            f"--server {name} needs the {name} package: pip install "
            "'containerregistry-registry[server]', or use --server builtin"
        )
    return name


def _bind(address: str) -> socket.socket:
    host, port = parse_address(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        raise listen_error(address, exc) from exc
    return sock


def serve(
    app: Any,
    *,
    address: str = ":0",
    server: str = "builtin",
    workers: int = 1,
    threads: int = DEFAULT_THREADS,
    on_ready: Callable[[int], None] | None = None,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> None:
    """Serve WSGI ``app`` on ``address`` (default ``:0``) until SIGINT or SIGTERM.

    ``server`` is ``builtin`` (default: :class:`RegistryServer`, a thread per
    connection) or ``gunicorn`` (gthread workers; the ``server`` extra).
    ``workers`` (default 1) processes, each with ``threads`` (default 16) threads,
    serve under gunicorn; more than one worker needs a storage that every process
    shares (disk or a bucket), never memory. ``on_ready`` is called with the port
    once the socket listens. A request whose headers or body stop arriving for
    ``read_timeout`` seconds (default 300) is answered 408 and its connection
    closed; a stalled upload is discarded. An address that cannot be listened on
    (in use, not this machine's, a privileged port) raises
    :class:`~containerregistry.registry.ServerListenError` before anything is served.
    """
    name = choose(server)
    if name == "builtin" and workers != 1:
        raise ServerUnavailableError(
            "--workers needs --server gunicorn; the built-in server runs one process"
        )
    if name == "gunicorn":
        sock = _bind(address)
        if on_ready is not None:
            on_ready(int(sock.getsockname()[1]))
        _gunicorn(_with_read_timeout(app, read_timeout), sock, workers, threads)
        return

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    httpd = make_server(app, address=address, read_timeout=read_timeout)
    signal.signal(signal.SIGTERM, _stop)
    try:
        # Inside the try: a SIGTERM right after the ready line is a clean stop too.
        if on_ready is not None:
            on_ready(httpd.port)
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def _with_read_timeout(app: Any, seconds: float) -> Any:
    """``app``, setting the timeout of gunicorn's client socket (which gunicorn
    leaves blocking for good) before each request reads its body."""

    def timed(environ: dict[str, Any], start_response: Any) -> Any:
        sock = environ.get("gunicorn.socket")
        if sock is not None:
            sock.settimeout(seconds)
        return app(environ, start_response)

    return timed


def _gunicorn(app: Any, sock: socket.socket, workers: int, threads: int) -> None:
    from gunicorn.app.base import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        BaseApplication,
    )

    options = {
        "bind": [f"fd://{sock.fileno()}"],
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # Docker keeps connections open between the requests of a push.
        "keepalive": 75,
        # A worker whose main loop is silent this long is restarted; uploads run in
        # threads and keep it beating, so this only catches a wedged worker.
        "timeout": 120,
        "graceful_timeout": 10,
        "loglevel": "warning",
        "accesslog": None,
        "proc_name": "crane-registry",
    }

    class _Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    sock.set_inheritable(True)
    _Application().run()
