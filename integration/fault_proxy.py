"""A fault-injecting HTTP/1.1 proxy on loopback, put between a client and a real registry.

Each request the client sends is read whole, matched against a script of
:class:`Fault` rules, and either forwarded to the registry unchanged or answered
with a fault: an error status (with ``Retry-After`` for 429), a connection reset
while the client is still sending the body, a reset or a clean close in the middle
of the registry's response body, a request body cut short on its way to the
registry, or a response lost after the registry acted on the request.

A rule fires on the first ``times`` requests that match it, then lets requests
pass; ``proxy.fired`` lists what fired, so a test can tell that its fault happened.

Beside scripts, :class:`Chaos` draws the faults at random from a seed (see there):
the same seed gives the same faults, so a failure found by a sweep reproduces.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import http.client
import io
import json
import random
import re
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import BinaryIO, Literal

Action = Literal[
    "status",  # answer ``status`` (the request never reaches the registry)
    "reset-request",  # read half of the request body, then reset the connection
    "reset-before-headers",  # read the request whole, then reset without an answer
    "reset-response",  # forward; send the headers and half the body, then reset
    "reset-after-headers",  # forward; send the headers only, then reset
    "truncate-response",  # forward; send the headers and half the body, then close cleanly
    "truncate-request",  # forward half of the body (so the registry sees it end early);
    # the client's connection is closed without an answer
    "drop-response",  # forward whole; the registry acts, the client sees a reset
    "trickle-request",  # read the request body slowly (a slow uplink), then forward it
    "trickle-response",  # forward; send the response body slowly (a slow downlink)
    "slow-headers",  # wait SLOW_SECONDS, then forward as usual (a slow registry)
    "forget-upload",  # answer 404 BLOB_UPLOAD_UNKNOWN (the registry lost the session)
    "delete-upload",  # DELETE the upload on the registry, then forward: it answers 404
    # bad answers, not transient ones:
    "corrupt-response",  # forward; flip bytes in the body, keeping its length
    "not-json-response",  # forward; replace the body with an HTML page of its length
    "inflate-length",  # forward; announce a Content-Length 1 GiB beyond the body, then close
    "redirect-loop",  # answer 307 to the same URL, every time
]

#: Actions done to the registry's answer, after the request was forwarded.
RESPONSE_ACTIONS = frozenset(
    {
        "reset-response",
        "reset-after-headers",
        "truncate-response",
        "trickle-response",
        "corrupt-response",
        "not-json-response",
        "inflate-length",
    }
)

#: How a trickle moves: this many bytes, then a pause of this many seconds.
TRICKLE_BYTES = 64 * 1024
TRICKLE_PAUSE = 0.05
#: How long a slow registry waits before it answers: well inside any client timeout.
SLOW_SECONDS = 0.3

_UPLOAD = r"/v2/.+/blobs/uploads/[^/?]+(\?.*)?$"

#: What each kind of request looks like: (method, path pattern).
REQUESTS = {
    "ping": ("GET", re.compile(r"/v2/?$")),
    "blob-get": ("GET", re.compile(r"/v2/.+/blobs/sha256:[0-9a-f]{64}$")),
    "blob-head": ("HEAD", re.compile(r"/v2/.+/blobs/sha256:[0-9a-f]{64}$")),
    "upload-post": ("POST", re.compile(r"/v2/.+/blobs/uploads/(\?.*)?$")),
    "upload-patch": ("PATCH", re.compile(_UPLOAD)),
    "upload-put": ("PUT", re.compile(r"/v2/.+/blobs/uploads/[^/?]+\?.*digest=.*$")),
    "upload-get": ("GET", re.compile(_UPLOAD)),
    "manifest-get": ("GET", re.compile(r"/v2/.+/manifests/[^/]+$")),
    "manifest-head": ("HEAD", re.compile(r"/v2/.+/manifests/[^/]+$")),
    "manifest-put": ("PUT", re.compile(r"/v2/.+/manifests/[^/]+$")),
}

#: The kinds of request that carry an upload session's URL.
UPLOAD_SESSION_KINDS = frozenset({"upload-patch", "upload-put", "upload-get"})
#: The kinds of request that write to a blob upload (what :data:`UPLOADS` faults hit).
UPLOADS = frozenset({"upload-post", "upload-patch", "upload-put"})

#: Bodies of the injected error statuses: a registry's JSON where one would send it,
#: a gateway's page where a load balancer would.
_STATUS_BODIES: dict[int, tuple[str, dict[str, str] | None]] = {
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


def request_kind(method: str, target: str) -> str:
    """The :data:`REQUESTS` kind of a request, or ``"other"``."""
    path = target if method in ("POST", "PATCH") or "digest=" in target else target.split("?")[0]
    for kind, (want, pattern) in REQUESTS.items():
        if method == want and pattern.match(path) is not None:
            return kind
    return "other"


#: Each fault :class:`Chaos` may draw: its name, the kinds of request it applies to
#: (None: every kind), and the scripted :class:`Fault` it plays.
_ANY = None
_WITH_BODY = frozenset({"upload-patch", "manifest-put"})
_READS = frozenset({"blob-get", "manifest-get"})
CHAOS_MENU: tuple[tuple[str, frozenset[str] | None, Fault], ...] = (
    ("500", _ANY, Fault("ping", "status", 500)),
    ("502", _ANY, Fault("ping", "status", 502)),
    ("503", _ANY, Fault("ping", "status", 503)),
    ("503 Retry-After: 1", _ANY, Fault("ping", "status", 503, retry_after="1")),
    ("429", _ANY, Fault("ping", "status", 429)),
    ("429 Retry-After: 0", _ANY, Fault("ping", "status", 429, retry_after="0")),
    ("429 Retry-After: 1", _ANY, Fault("ping", "status", 429, retry_after="1")),
    ("408", _ANY, Fault("ping", "status", 408)),
    ("reset-before-headers", _ANY, Fault("ping", "reset-before-headers")),
    ("reset-after-headers", _ANY, Fault("ping", "reset-after-headers")),
    ("slow-headers", _ANY, Fault("ping", "slow-headers")),
    ("reset-request", _WITH_BODY, Fault("ping", "reset-request")),
    ("truncate-request", frozenset({"upload-patch"}), Fault("ping", "truncate-request")),
    ("drop-response", _ANY, Fault("ping", "drop-response")),
    ("reset-response", _READS, Fault("ping", "reset-response")),
    ("truncate-response", _READS, Fault("ping", "truncate-response")),
    ("trickle-response", frozenset({"blob-get"}), Fault("ping", "trickle-response")),
    ("forget-upload", UPLOAD_SESSION_KINDS, Fault("ping", "forget-upload")),
    ("delete-upload", UPLOAD_SESSION_KINDS, Fault("ping", "delete-upload")),
)
#: The faults of an upload that "fails 30% of its requests" (issue 16): 5xx,
#: resets, answers lost after the chunk landed, forgotten sessions.
UPLOAD_FAULTS = frozenset(
    {
        "500",
        "502",
        "503",
        "reset-before-headers",
        "reset-request",
        "truncate-request",
        "drop-response",
        "forget-upload",
        "delete-upload",
    }
)


@dataclasses.dataclass(frozen=True)
class Chaos:
    """Faults drawn at random, reproducibly, for every request through the proxy.

    Each request is given an identity that does not depend on timing, ports or
    repository names: its kind (:data:`REQUESTS`), the digest or tag it names,
    its ``Content-Range``, the ``mount`` source's digest and a hash of the first
    4 KiB of its body. The n-th request of one identity draws from
    ``random.Random(f"{seed}/{identity}/{n}")``: with probability ``probability``
    (default 0.2) it gets a fault, picked evenly from the ``faults`` (default: every
    name in :data:`CHAOS_MENU`) that apply to its kind. Requests of a kind outside
    ``kinds`` (default: every kind) pass untouched.

    Two bounds keep a run finite: one identity gets at most ``per_request`` faults
    (default 2, fewer than the 5 tries a client makes), and the proxy injects at
    most ``per_proxy`` in all (default None: no bound). The draws are the same in
    any order of arrival, so a concurrent copy meets the same faults on the same
    requests; only ``per_proxy``, counted in arrival order, and requests no
    identity tells apart (two blob upload POSTs in one repository, say) depend on
    the order, so a sweep that must reproduce exactly moves one blob at a time.
    """

    seed: int
    probability: float = 0.2
    faults: frozenset[str] = frozenset(name for name, _, _ in CHAOS_MENU)
    kinds: frozenset[str] = frozenset(REQUESTS)
    per_request: int = 2
    per_proxy: int | None = None

    def __post_init__(self) -> None:
        known = {name for name, _, _ in CHAOS_MENU}
        if not self.faults <= known:
            raise ValueError(f"unknown chaos faults {sorted(self.faults - known)}")
        if not self.kinds <= set(REQUESTS):
            raise ValueError(f"unknown request kinds {sorted(self.kinds - set(REQUESTS))}")

    def draw(self, kind: str, identity: str, occurrence: int) -> tuple[str, Fault] | None:
        """The fault (its name and script) for the ``occurrence``-th request of
        ``identity`` (counted from 0), or None; ignores the bounds."""
        if kind not in self.kinds:
            return None
        stream = random.Random(f"{self.seed}/{identity}/{occurrence}")
        if stream.random() >= self.probability:
            return None
        menu = [
            (name, fault)
            for name, applies, fault in CHAOS_MENU
            if name in self.faults and (applies is None or kind in applies)
        ]
        if not menu:
            return None
        name, fault = stream.choice(menu)
        return name, dataclasses.replace(fault, request=kind, min_body=0)


def identity_of(
    kind: str, method: str, target: str, headers: Mapping[str, str], body_head: bytes
) -> str:
    """What tells a request apart from others regardless of timing (see :class:`Chaos`)."""
    path, _, query = target.partition("?")
    params = urllib.parse.parse_qs(query)
    parts = [kind]
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if kind in ("blob-get", "blob-head", "manifest-get", "manifest-head", "manifest-put"):
        parts.append(last)
    for key in ("digest", "mount"):
        parts += params.get(key, [])
    if "content-range" in headers:
        parts.append(headers["content-range"])
    if body_head:
        parts.append(hashlib.sha256(body_head).hexdigest()[:16])
    return " ".join(parts)


#: How much of a request body names it (see :func:`identity_of`).
_IDENTITY_BYTES = 4096


class FaultProxy:
    """Listens on ``127.0.0.1:<port>`` (:attr:`address`) and forwards to ``upstream``.

    ``faults`` is a script (see :class:`Fault`); ``chaos`` (default None) draws faults
    from a seed instead (see :class:`Chaos`), and then :attr:`fired` lists, in order of
    arrival, ``"<identity>#<n>: <fault>"`` for each fault, the same on every run.
    """

    def __init__(
        self, upstream: str, faults: Sequence[Fault] = (), *, chaos: Chaos | None = None
    ) -> None:
        self.upstream = upstream
        self.faults = [dataclasses.replace(fault) for fault in faults]
        self.chaos = chaos
        self.fired: list[str] = []
        #: Every request seen, in order of arrival: ``"<METHOD> <path>"``.
        self.requests: list[str] = []
        self._seen: dict[str, int] = {}
        self._faults_of: dict[str, int] = {}
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
                is_response_fault = fault.action in RESPONSE_ACTIONS
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

    def _draw(self, chaos: Chaos, kind: str, identity: str) -> Fault | None:
        """The chaos fault of this request, if any, within the bounds."""
        with self._lock:
            occurrence = self._seen.get(identity, 0)
            self._seen[identity] = occurrence + 1
            drawn = chaos.draw(kind, identity, occurrence)
            if drawn is None or self._faults_of.get(identity, 0) >= chaos.per_request:
                return None
            if chaos.per_proxy is not None and len(self.fired) >= chaos.per_proxy:
                return None
            self._faults_of[identity] = self._faults_of.get(identity, 0) + 1
            self.fired.append(f"{identity}#{occurrence}: {drawn[0]}")
            return drawn[1]

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
        with self._lock:
            self.requests.append(f"{method} {target.split('?')[0]}")
        body = b""
        late: Fault | None = None
        whole = False  # whether the body is read whole already
        if self.chaos is not None:
            body = _read_chunked(reader) if chunked else reader.read(min(length, _IDENTITY_BYTES))
            whole = chunked
            kind = request_kind(method, target)
            identity = identity_of(kind, method, target, names, body[:_IDENTITY_BYTES])
            fault = self._draw(self.chaos, kind, identity)
            if fault is not None and fault.action in RESPONSE_ACTIONS:
                fault, late = None, fault
            if not chunked:
                length -= len(body)
        else:
            size = length if not chunked else 1 << 62  # unknown: a body fault may apply
            fault = self._take(method, target, size, response_fault=False)
        if fault is not None and fault.action == "reset-request":
            if not whole:
                reader.read(length // 2 if not chunked else 1)
            _reset(conn)
            return False
        if fault is not None and fault.action == "trickle-request" and not chunked:
            body += _read_slowly(reader, length)
        elif not whole:
            body += _read_chunked(reader) if chunked else reader.read(length)
        if fault is not None and fault.action == "reset-before-headers":
            _reset(conn)
            return False
        if fault is not None and fault.action in ("status", "forget-upload", "redirect-loop"):
            _send(conn, *_status_reply(fault, target), head=method == "HEAD")
            return True
        forwarded = [(k, v) for k, v in headers if k.lower() not in _HOP]
        if fault is not None and fault.action == "truncate-request":
            _send_cut_short(self.upstream, method, target, forwarded, body)
            _reset(conn)
            return False
        if fault is not None and fault.action == "slow-headers":
            time.sleep(SLOW_SECONDS)
        if fault is not None and fault.action == "delete-upload":
            _delete_upload(self.upstream, target, forwarded)
        status, reason, reply_headers, payload = _forward(
            self.upstream, method, target, forwarded, body
        )
        if fault is not None and fault.action == "drop-response":
            _reset(conn)
            return False
        if self.chaos is None:
            late = self._take(method, target, len(payload), response_fault=True)
        if late is not None:
            return _answer_badly(conn, late, status, reason, reply_headers, payload)
        _send(conn, status, reason, reply_headers, payload, head=method == "HEAD")
        return True


def _forward(
    upstream: str, method: str, target: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """Send the request to the registry; return its status, reason, headers and body."""
    connection = http.client.HTTPConnection(upstream, timeout=60)
    try:
        connection.request(method, target, body=body, headers=dict(headers))
        response = connection.getresponse()
        payload = response.read()
        reply_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
        if method == "HEAD":
            upstream_length = response.getheader("Content-Length")
            if upstream_length is not None:
                reply_headers.append(("Content-Length", upstream_length))
        return response.status, response.reason, reply_headers, payload
    finally:
        connection.close()


def _answer_badly(
    conn: socket.socket,
    fault: Fault,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    payload: bytes,
) -> bool:
    """Send the registry's answer with ``fault`` done to it; whether the connection stays."""
    announced: int | None = len(payload)
    if any(k.lower() == "content-length" for k, _ in headers):
        announced = None  # a HEAD's answer: the registry's length is among the headers
    if fault.action == "trickle-response":
        conn.sendall(_head(status, reason, headers, announced))
        for start in range(0, len(payload), TRICKLE_BYTES):
            conn.sendall(payload[start : start + TRICKLE_BYTES])
            time.sleep(TRICKLE_PAUSE)
        return True
    if fault.action == "corrupt-response":
        flipped = bytes(b ^ 0xFF for b in payload[:16]) + payload[16:]
        conn.sendall(_head(status, reason, headers, announced) + flipped)
        return True
    if fault.action == "not-json-response":
        page = b"<html><body>Service temporarily unavailable</body></html>\n"
        page = (page * (len(payload) // len(page) + 1))[: len(payload)]
        conn.sendall(_head(status, reason, headers, announced) + page)
        return True
    if fault.action == "inflate-length":
        conn.sendall(_head(status, reason, headers, len(payload) + (1 << 30)) + payload)
        conn.shutdown(socket.SHUT_RDWR)
        return False
    if fault.action == "reset-after-headers":
        conn.sendall(_head(status, reason, headers, announced))
        _reset(conn)
        return False
    conn.sendall(_head(status, reason, headers, announced) + payload[: len(payload) // 2])
    if fault.action == "reset-response":
        _reset(conn)
    else:
        conn.shutdown(socket.SHUT_RDWR)
    return False


def _delete_upload(upstream: str, target: str, headers: list[tuple[str, str]]) -> None:
    """Cancel the upload session ``target`` names, on the registry itself."""
    path = target.partition("?")[0]
    query = urllib.parse.parse_qs(target.partition("?")[2])
    if "_state" in query:  # registry:2 wants its state token back on every session call
        path += "?" + urllib.parse.urlencode({"_state": query["_state"][0]})
    _forward(upstream, "DELETE", path, headers, b"")


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


def _status_reply(fault: Fault, target: str) -> tuple[int, str, list[tuple[str, str]], bytes]:
    if fault.action == "forget-upload":
        lost = {"code": "BLOB_UPLOAD_UNKNOWN", "message": "blob upload unknown to registry"}
        body = json.dumps({"errors": [lost]}).encode()
        return 404, "Not Found", [("Content-Type", "application/json")], body
    if fault.action == "redirect-loop":
        return 307, "Temporary Redirect", [("Location", target)], b""
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
