"""A small Docker Engine API server on loopback that the real Docker SDK talks to.

It answers the five endpoints the daemon package uses (version, inspect, save,
load, tag) from an in-memory table, and records what it was sent. The real daemon
is exercised by the integration tests; this one makes the edge cases repeatable.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from containerregistry import tarball
from containerregistry.name import new_tag
from containerregistry.v1 import Image

API = "1.41"


@dataclasses.dataclass
class FakeDaemon:
    """What the fake daemon holds and what it saw."""

    port: int = 0
    saves: dict[str, bytes] = dataclasses.field(default_factory=dict)  # name or id -> tarball
    loaded: list[bytes] = dataclasses.field(default_factory=list)
    tagged: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)
    save_count: int = 0
    load_reply: list[dict[str, Any]] = dataclasses.field(
        default_factory=lambda: [{"stream": "Loaded image: app:1\n"}]
    )
    load_status: int = 200

    def add(self, name: str, img: Image) -> bytes:
        """Make ``img`` savable under ``name`` and under its id."""
        out = io.BytesIO()
        tag = new_tag(name)
        tarball.write(tag, img, out)
        self.saves[tag.name] = self.saves[str(img.config_name())] = out.getvalue()
        return out.getvalue()

    def client(self) -> Any:
        import docker

        return docker.APIClient(base_url=f"tcp://127.0.0.1:{self.port}", version=API)


def _read_chunked(rfile: Any) -> bytes:
    body = bytearray()
    while True:
        size = int(rfile.readline().split(b";")[0].strip(), 16)
        if size == 0:
            rfile.readline()
            return bytes(body)
        body += rfile.read(size)
        rfile.readline()


def _handler(state: FakeDaemon) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _missing(self, name: str) -> None:
            self._reply(404, json.dumps({"message": f"No such image: {name}"}).encode())

        def _route(self) -> tuple[str, str, dict[str, list[str]]]:
            url = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(url.path).removeprefix(f"/v{API}")
            query = urllib.parse.parse_qs(url.query)
            if path.startswith("/images/") and path != "/images/load":
                name, _, action = path.removeprefix("/images/").rpartition("/")
                return action, name, query
            return path, "", query

        def do_GET(self) -> None:
            action, name, _ = self._route()
            if action == "/version":
                self._reply(200, json.dumps({"ApiVersion": API, "Version": "fake"}).encode())
            elif action == "json":
                if name in state.saves:
                    self._reply(200, json.dumps({"Id": name}).encode())
                else:
                    self._missing(name)
            elif action == "get":
                if name not in state.saves:
                    self._missing(name)
                    return
                state.save_count += 1
                self._reply(200, state.saves[name], "application/x-tar")
            else:
                self._reply(404, b'{"message":"page not found"}')

        def do_POST(self) -> None:
            action, name, query = self._route()
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = _read_chunked(self.rfile)
            else:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if action == "/images/load":
                state.loaded.append(body)
                reply = b"".join(json.dumps(m).encode() + b"\r\n" for m in state.load_reply)
                self._reply(state.load_status, reply)
            elif action == "tag":
                if name not in state.saves:
                    self._missing(name)
                    return
                state.tagged.append((name, query["repo"][0], query["tag"][0]))
                self._reply(201, b"")
            else:
                self._reply(404, b'{"message":"page not found"}')

    return Handler


@pytest.fixture
def fake_daemon() -> Iterator[FakeDaemon]:
    state = FakeDaemon()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
