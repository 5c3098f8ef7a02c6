"""Plain HTTP/1.1 requests to a registry, for tests that check bytes and headers."""

from __future__ import annotations

import http.client
import socket


def call(
    address: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    *,
    timeout: float = 120.0,
) -> tuple[int, dict[str, str], bytes]:
    """Send one request to ``address`` (``host:port``) on a fresh connection; return
    the status, the headers (lower-case names) and the body. ``timeout`` (default
    120 s) bounds each socket operation: a large blob over a loaded machine."""
    conn = http.client.HTTPConnection(address, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
