"""A fault-injecting HTTP/1.1 proxy on loopback, put between a client and a real registry.

Each request the client sends is read whole, matched against a script of
:class:`Fault` rules, and either forwarded to the registry unchanged or answered
with a fault: an error status (with ``Retry-After`` for 429), a connection reset
while the client is still sending the body, a reset or a clean close in the middle
of the registry's response body, a request body cut short on its way to the
registry, or a response lost after the registry acted on the request.

A rule fires on the first ``times`` requests that match it, then lets requests
pass; ``proxy.fired`` lists what fired, so a test can tell that its fault happened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import io
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Sequence
from typing import BinaryIO, Literal

Action = Literal[
    "status",  # answer ``status`` (the request never reaches the registry)
    "reset-request",  # read half of the request body, then reset the connection
    "reset-response",  # forward; send the headers and half the body, then reset
    "truncate-response",  # forward; send the headers and half the body, then close cleanly
    "truncate-request",  # forward half of the body (so the registry sees it end early);
    # the client's connection is closed without an answer
    "drop-response",  # forward whole; the registry acts, the client sees a reset
    "trickle-request",  # read the request body slowly (a slow uplink), then forward it
    "trickle-response",  # forward; send the response body slowly (a slow downlink)
]

#: How a trickle moves: this many bytes, then a pause of this many seconds.
TRICKLE_BYTES = 64 * 1024
TRICKLE_PAUSE = 0.05

#: What each kind of request looks like: (method, path pattern).
REQUESTS = {
    "blob-get": ("GET", re.compile(r"/v2/.+/blobs/sha256:[0-9a-f]{64}$")),
    "upload-post": ("POST", re.compile(r"/v2/.+/blobs/uploads/(\?.*)?$")),
    "upload-patch": ("PATCH", re.compile(r"/v2/.+/blobs/uploads/[^/?]+(\?.*)?$")),
    "upload-put": ("PUT", re.compile(r"/v2/.+/blobs/uploads/[^/?]+\?.*digest=.*$")),
    "manifest-put": ("PUT", re.compile(r"/v2/.+/manifests/[^/]+$")),
}

#: Bodies of the injected error statuses: a registry's JSON where one would send it,
#: a gateway's page where a load balancer would.
_STATUS_BODIES = {
    429: ("application/json", {"code": "TOOMANYREQUESTS", "message": "injected: slow down"}),
    500: ("application/json", {"code": "UNKNOWN", "message": "injected: internal error"}),
}

#: The first byte of a TLS record carrying a handshake (a ClientHello).
_TLS_HANDSHAKE = b"\x16"
#: What a plain HTTP server answers to a TLS hello or a malformed request line.
_BAD_REQUEST = (400, "Bad Request", [("Connection", "close")], b"malformed request line\n")
_NOT_TLS = (
    400,
    "Bad Request",
    [("Connection", "close")],
    b"Client sent an HTTPS request to an HTTP server.\n",
)

#: Hop-by-hop headers, never forwarded; the proxy frames each message itself.
_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te"}
)


@dataclasses.dataclass
class Fault:
    """Do ``action`` to the first ``times`` requests of kind ``request`` (see
    :data:`REQUESTS`) whose body (the request's, or the response's for response
    faults) is at least ``min_body`` bytes: body faults are meant for blobs, not configs.
    """

    request: str
    action: Action
    status: int = 0
    retry_after: str | None = None
    times: int = 1
    min_body: int = 64 * 1024

    def __post_init__(self) -> None:
        if self.request not in REQUESTS:
            raise ValueError(f"unknown request kind {self.request!r}; known: {sorted(REQUESTS)}")
        if (self.action == "status") != (self.status > 0):
            raise ValueError("a status fault needs a status, and only it does")

    def matches(self, method: str, path: str) -> bool:
        """Whether the request is of this rule's kind."""
        want, pattern = REQUESTS[self.request]
        return method == want and pattern.match(path) is not None


class FaultProxy:
    """Listens on ``127.0.0.1:<port>`` (:attr:`address`) and forwards to ``upstream``."""

    def __init__(self, upstream: str, faults: Sequence[Fault] = ()) -> None:
        self.upstream = upstream
        self.faults = [dataclasses.replace(fault) for fault in faults]
        self.fired: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        self._connections: set[socket.socket] = set()
        self._closed = False
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()

    def close(self) -> None:
        """Stop listening and drop every open connection."""
        self._closed = True
        self._listener.close()
        with self._lock:
            for conn in list(self._connections):
                _close(conn)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing -----------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _take(self, method: str, path: str, body_size: int, response_fault: bool) -> Fault | None:
        """The rule that fires for this request (consuming one of its ``times``), if any."""
        with self._lock:
            for fault in self.faults:
                is_response_fault = fault.action in (
                    "reset-response",
                    "truncate-response",
                    "trickle-response",
                )
                if fault.times <= 0 or is_response_fault != response_fault:
                    continue
                if not fault.matches(method, path):
                    continue
                if fault.action != "status" and body_size < fault.min_body:
                    continue
                fault.times -= 1
                self.fired.append(f"{method} {path.split('?')[0]}: {_describe(fault)}")
                return fault
        return None

    def _serve(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        try:
            while self._one(conn, reader):
                pass
        except (OSError, ValueError, http.client.HTTPException):
            pass
        finally:
            reader.close()
            _close(conn)
            with self._lock:
                self._connections.discard(conn)

    def _one(self, conn: socket.socket, reader: io.BufferedReader) -> bool:
        """Handle one request; return whether the connection stays open."""
        if reader.peek(1)[:1] == _TLS_HANDSHAKE:
            # A client trying https first (the ping does): answer at once as a plain
            # HTTP server does. Waiting for a request line would hold the client until
            # its TLS handshake times out (30 s), as the hello rarely holds a newline.
            _send(conn, *_NOT_TLS, head=False)
            return False
        line = reader.readline(65536)
        if not line:
            return False
        parts = line.decode("latin-1").split(" ", 2)
        if len(parts) != 3:
            _send(conn, *_BAD_REQUEST, head=False)
            return False
        method, target, _ = parts
        headers = _read_headers(reader)
        names = {k.lower(): v for k, v in headers}
        length = int(names.get("content-length", "0") or 0)
        chunked = "chunked" in names.get("transfer-encoding", "").lower()
        size = length if not chunked else 1 << 62  # unknown: a body fault may apply
        fault = self._take(method, target, size, response_fault=False)
        if fault is not None and fault.action == "reset-request":
            reader.read(length // 2 if not chunked else 1)
            _reset(conn)
            return False
        if fault is not None and fault.action == "trickle-request" and not chunked:
            body = _read_slowly(reader, length)
        else:
            body = _read_chunked(reader) if chunked else reader.read(length)
        if fault is not None and fault.action == "status":
            _send(conn, *_status_reply(fault), head=method == "HEAD")
            return True
        forwarded = [(k, v) for k, v in headers if k.lower() not in _HOP]
        if fault is not None and fault.action == "truncate-request":
            _send_cut_short(self.upstream, method, target, forwarded, body)
            _reset(conn)
            return False
        upstream = http.client.HTTPConnection(self.upstream, timeout=60)
        try:
            upstream.request(method, target, body=body, headers=dict(forwarded))
            response = upstream.getresponse()
            payload = response.read()
            status, reason = response.status, response.reason
            reply_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
            if method == "HEAD":
                upstream_length = response.getheader("Content-Length")
                if upstream_length is not None:
                    reply_headers.append(("Content-Length", upstream_length))
        finally:
            upstream.close()
        if fault is not None and fault.action == "drop-response":
            _reset(conn)
            return False
        late = self._take(method, target, len(payload), response_fault=True)
        if late is not None and late.action == "trickle-response":
            conn.sendall(_head(status, reason, reply_headers, len(payload)))
            for start in range(0, len(payload), TRICKLE_BYTES):
                conn.sendall(payload[start : start + TRICKLE_BYTES])
                time.sleep(TRICKLE_PAUSE)
            return True
        if late is not None:
            head = _head(status, reason, reply_headers, len(payload))
            conn.sendall(head + payload[: len(payload) // 2])
            if late.action == "reset-response":
                _reset(conn)
            else:
                conn.shutdown(socket.SHUT_RDWR)
            return False
        _send(conn, status, reason, reply_headers, payload, head=method == "HEAD")
        return True


def _read_slowly(reader: BinaryIO, length: int) -> bytes:
    parts = []
    while length > 0:
        part = reader.read(min(TRICKLE_BYTES, length))
        if not part:
            break
        parts.append(part)
        length -= len(part)
        time.sleep(TRICKLE_PAUSE)
    return b"".join(parts)


def _describe(fault: Fault) -> str:
    if fault.action == "status":
        after = f" Retry-After: {fault.retry_after}" if fault.retry_after else ""
        return f"{fault.status}{after}"
    return fault.action


def _read_headers(reader: BinaryIO) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    while True:
        line = reader.readline(65536).decode("latin-1")
        if line in ("\r\n", "\n", ""):
            return headers
        key, _, value = line.partition(":")
        headers.append((key.strip(), value.strip()))


def _read_chunked(reader: BinaryIO) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int(reader.readline(1024).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            _read_headers(reader)  # trailers
            return b"".join(parts)
        parts.append(reader.read(size))
        reader.readline(16)


def _status_reply(fault: Fault) -> tuple[int, str, list[tuple[str, str]], bytes]:
    reason = http.client.responses.get(fault.status, "Injected")
    headers = [("Connection", "keep-alive")]
    if fault.retry_after is not None:
        headers.append(("Retry-After", fault.retry_after))
    kind, error = _STATUS_BODIES.get(fault.status, ("text/html", None))
    if error is not None:
        body = json.dumps({"errors": [error]}).encode()
    else:
        body = f"<html><body><h1>{fault.status} {reason}</h1></body></html>\n".encode()
    headers.append(("Content-Type", kind))
    return fault.status, reason, headers, body


def _head(status: int, reason: str, headers: list[tuple[str, str]], length: int | None) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _send(
    conn: socket.socket,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    head: bool,
) -> None:
    has_length = any(k.lower() == "content-length" for k, _ in headers)
    conn.sendall(_head(status, reason, headers, None if head and has_length else len(body)))
    if not head:
        conn.sendall(body)


def _send_cut_short(
    upstream: str, method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> None:
    """Announce all of ``body`` to the registry, send half, and hang up."""
    with socket.create_connection(_split(upstream), timeout=60) as sock:
        host_headers = "".join(f"{k}: {v}\r\n" for k, v in headers)
        sock.sendall(
            f"{method} {target} HTTP/1.1\r\n{host_headers}Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode("latin-1")
        )
        sock.sendall(body[: len(body) // 2])
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(10)
        try:
            while sock.recv(65536):  # let the registry notice and answer
                pass
        except OSError:
            pass


def _split(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def _reset(conn: socket.socket) -> None:
    """Close with RST instead of FIN: the peer sees "connection reset by peer"."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    _close(conn)


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.close()
