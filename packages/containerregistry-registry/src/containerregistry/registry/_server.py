"""A threaded HTTP/1.1 WSGI server from the standard library, tuned for a registry.

wsgiref's server answers one request per connection with HTTP/1.0; clients then pay a
TCP handshake per HEAD, and chunked request bodies (Docker's pushes) are not
decoded. This server keeps connections alive, decodes chunked bodies, sends headers
and small bodies in one write, and sends blob files with ``os.sendfile``.
"""

from __future__ import annotations

import email.utils
import errno
import io
import logging
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_to_bytes

from containerregistry.errors import ContainerRegistryError
from containerregistry.registry._http import BlobBody

_log = logging.getLogger("containerregistry.registry.server")
_log.addHandler(logging.NullHandler())

#: A request body left unread by the application is drained up to this many bytes
#: to keep the connection; a longer rest closes the connection instead.
_DRAIN_LIMIT = 1 << 16
#: Bodies up to this size go out in the same write as the headers.
_COALESCE_LIMIT = 1 << 16
#: Seconds a request's headers or body may stall (no byte arriving) before the
#: request is answered 408 and its connection closed; a stalled upload is discarded.
DEFAULT_READ_TIMEOUT = 300.0
#: Seconds a kept-alive connection may wait for its next request.
DEFAULT_IDLE_TIMEOUT = 300.0


class ServerAddressError(ContainerRegistryError, ValueError):
    """An ``--address`` is not ``HOST:PORT``."""


#: Why a listening socket could not be bound, by errno: (reason, what to do). ``{flag}``
#: names the setting, ``address`` for the library and ``--address`` for the CLI.
_LISTEN_ERRORS = {
    errno.EADDRINUSE: (
        "address already in use",
        "is another registry running? pick another {flag}",
    ),
    errno.EADDRNOTAVAIL: (
        "no interface of this machine has that address",
        "pick one it has, or :PORT for every interface",
    ),
    errno.EACCES: (
        "permission denied",
        "ports below 1024 need privileges; pick a port above 1023",
    ),
}


class ServerListenError(ContainerRegistryError):
    """The server cannot listen on its address: in use, not this machine's, a
    privileged port, a host name that does not resolve.

    ``address`` is the one asked for (``0.0.0.0:PORT`` for ``:PORT``), ``reason`` what
    the system said and ``errno`` its number (None for a name that does not resolve).
    """

    def __init__(self, address: str, reason: str, hint: str, number: int | None) -> None:
        self.address = address
        self.reason = reason
        self.errno = number
        self._hint = hint
        super().__init__(self.message())

    def message(self, flag: str = "address") -> str:
        """The error in words, its advice naming the setting ``flag`` (default
        ``address``; the CLI says ``--address``)."""
        hint = f" ({self._hint.format(flag=flag)})" if self._hint else ""
        return f"cannot listen on {self.address}: {self.reason}{hint}"


def listen_error(address: str, error: OSError) -> ServerListenError:
    """:class:`ServerListenError` for ``error``, raised binding to ``address``."""
    host, port = parse_address(address)
    shown = f"[{host}]:{port}" if ":" in host else f"{host or '0.0.0.0'}:{port}"
    if isinstance(error, socket.gaierror):
        return ServerListenError(
            shown,
            f"host name {host!r} does not resolve",
            "give an IP address, or :PORT for every interface",
            None,
        )
    known = _LISTEN_ERRORS.get(error.errno or 0)
    if known is not None:
        return ServerListenError(shown, known[0], known[1], error.errno)
    reason = (error.strerror or str(error)).lower()
    return ServerListenError(shown, reason, "", error.errno)


class _LengthReader:
    """The request body when it has a Content-Length: never reads past it."""

    def __init__(self, stream: io.BufferedIOBase, length: int) -> None:
        self._stream = stream
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size < 0 or size > self.remaining:
            size = self.remaining
        try:
            data = self._stream.read(size)
        except OSError:
            self.remaining = -1  # a timeout or a reset: the connection is unusable
            raise
        self.remaining -= len(data)
        if not data:
            self.remaining = -1  # the client went away: the connection is unusable
        return data

    @property
    def finished(self) -> bool:
        return self.remaining == 0


class _ChunkedReader:
    """The request body in ``Transfer-Encoding: chunked``, decoded."""

    def __init__(self, stream: io.BufferedIOBase) -> None:
        self._stream = stream
        self._chunk_left = 0
        self.finished = False
        self._broken = False

    def _next_chunk(self) -> bool:
        """Read the next chunk's size line; True at the last (empty) chunk."""
        line = self._stream.readline(1024)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            self._broken = True
            raise ConnectionError(f"malformed chunk size line {line[:40]!r}") from None
        if size == 0:
            # Trailers, if any, end with an empty line.
            while self._stream.readline(1024) not in (b"\r\n", b"\n", b""):
                pass
            self.finished = True
        self._chunk_left = size
        return self.finished

    def read(self, size: int = -1) -> bytes:
        if self.finished or self._broken:
            return b""
        try:
            return self._read(size)
        except OSError:
            self._broken = True  # a timeout or a reset: the connection is unusable
            raise

    def _read(self, size: int) -> bytes:
        if self._chunk_left == 0 and self._next_chunk():
            return b""
        want = self._chunk_left if size < 0 else min(size, self._chunk_left)
        data = self._stream.read(want)
        if len(data) < want:
            self._broken = True
            raise ConnectionError("the client closed the connection inside a chunk")
        self._chunk_left -= len(data)
        if self._chunk_left == 0:
            self._stream.readline(8)  # the CRLF after each chunk
        return data


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Small responses (HEADs) must not wait for Nagle's delayed ACK.
    disable_nagle_algorithm = True
    # Seconds a new connection may wait for its first request (then the server's
    # idle and read timeouts take turns).
    timeout = DEFAULT_IDLE_TIMEOUT
    server: RegistryServer
    server_version = "containerregistry"
    sys_version = ""

    def parse_request(self) -> bool:
        # The request line arrived: its headers and body may not stall longer than this.
        self.connection.settimeout(self.server.read_timeout)
        return super().parse_request()

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s " + format, self.address_string(), *args)

    def _environ(self) -> tuple[dict[str, Any], _LengthReader | _ChunkedReader]:
        path, _, query = self.path.partition("?")
        body: _LengthReader | _ChunkedReader
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query,
            "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }
        for name, value in self.headers.items():
            key = name.upper().replace("-", "_")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value
            else:
                http_key = "HTTP_" + key
                previous = environ.get(http_key)
                environ[http_key] = value if previous is None else f"{previous},{value}"
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            environ.pop("CONTENT_LENGTH", None)
            body = _ChunkedReader(self.rfile)
        else:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            body = _LengthReader(self.rfile, max(length, 0))
        environ["wsgi.input"] = body
        return environ, body

    def _serve(self) -> None:
        environ, body = self._environ()
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if exc_info and started:
                raise exc_info[1].with_traceback(exc_info[2])
            started[:] = [(status, headers)]
            return self._refuse_write

        result = self.server.app(environ, start_response)
        try:
            self._send(environ, started[0], result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not body.finished:
            self._drain(body)

    @staticmethod
    def _refuse_write(data: bytes) -> None:
        raise NotImplementedError("this server does not support the legacy write() callable")

    def _send(
        self, environ: dict[str, Any], head: tuple[str, list[tuple[str, str]]], result: Any
    ) -> None:
        status, headers = head
        lines = [f"HTTP/1.1 {status}", f"Date: {_http_date()}", f"Server: {self.server_version}"]
        has_length = False
        for name, value in headers:
            if name.lower() == "connection":
                # The application asks to close (a request body it could not read).
                self.close_connection = self.close_connection or value.lower() == "close"
                continue
            lines.append(f"{name}: {value}")
            has_length = has_length or name.lower() == "content-length"
        if not has_length:
            # Without a length the end of the body is the end of the connection.
            self.close_connection = True
            lines.append("Connection: close")
        elif self.close_connection:
            lines.append("Connection: close")
        header_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        sock = self.connection
        if environ["REQUEST_METHOD"] == "HEAD":
            sock.sendall(header_bytes)
            return
        if isinstance(result, BlobBody) and result.fileno() is not None:
            sock.sendall(header_bytes)
            assert not isinstance(result.source, bytes)
            sock.sendfile(result.source, result.offset, result.length)
            return
        pending = header_bytes
        for chunk in result:
            if not chunk:
                continue
            if pending and len(pending) + len(chunk) <= _COALESCE_LIMIT:
                pending += chunk
                continue
            if pending:
                sock.sendall(pending)
                pending = b""
            sock.sendall(chunk)
        if pending:
            sock.sendall(pending)

    def _drain(self, body: _LengthReader | _ChunkedReader) -> None:
        if isinstance(body, _LengthReader) and 0 < body.remaining <= _DRAIN_LIMIT:
            while body.read(_DRAIN_LIMIT):
                pass
            if body.finished:
                return
        self.close_connection = True

    def handle_one_request(self) -> None:
        try:
            self.connection.settimeout(self.server.idle_timeout)
            super().handle_one_request()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


class RegistryServer(ThreadingHTTPServer):
    """A threaded HTTP/1.1 server running one WSGI ``app`` (a thread per connection).

    ``read_timeout`` (default 300 seconds): a request whose headers or body stop
    arriving for this long is answered 408 and its connection closed (a stalled
    upload is discarded). ``idle_timeout`` (default 300 seconds): a kept-alive
    connection waiting longer than this for its next request is closed.
    """

    daemon_threads = True
    block_on_close = False
    # Bursts of parallel pushes open many connections at once.
    request_queue_size = 128

    def __init__(
        self,
        app: Any,
        host: str = "",
        port: int = 0,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.app = app
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name (getfqdn), which can take
        # seconds on machines without DNS; the registry does not need it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    @property
    def port(self) -> int:
        """The TCP port the server listens on (useful with port 0)."""
        return int(self.server_address[1])

    def start(self) -> RegistryServer:
        """Serve in a background daemon thread; return self."""
        self._thread = threading.Thread(
            target=self.serve_forever, name=f"registry:{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> RegistryServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server_close()


def parse_address(address: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``:PORT`` for every interface, ``[::1]:PORT`` for IPv6)."""
    host, sep, port_text = address.rpartition(":")
    if not sep:
        raise ServerAddressError(f"address {address!r} is not HOST:PORT; try 127.0.0.1:5000")
    host = host.strip("[]")
    try:
        port = int(port_text)
    except ValueError:
        raise ServerAddressError(
            f"port {port_text!r} in address {address!r} is not a number; try 127.0.0.1:5000"
        ) from None
    if not 0 <= port <= 65535:
        raise ServerAddressError(f"port {port} in address {address!r} is out of range")
    return host, port


def make_server(
    app: Any, *, address: str = ":0", read_timeout: float = DEFAULT_READ_TIMEOUT
) -> RegistryServer:
    """Bind a :class:`RegistryServer` for ``app`` on ``address`` (default ``:0``,
    every interface and a free port). A request whose body stops arriving for
    ``read_timeout`` seconds (default 300) is cut off with 408 and its connection
    closed. Call ``serve_forever()`` or ``start()``. :class:`ServerListenError` when
    the address cannot be listened on (in use, not this machine's, ...)."""
    host, port = parse_address(address)
    try:
        return RegistryServer(app, host, port, read_timeout=read_timeout)
    except OSError as exc:
        raise listen_error(address, exc) from exc
