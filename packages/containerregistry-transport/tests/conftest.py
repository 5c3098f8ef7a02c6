"""Small real HTTP servers on 127.0.0.1 that speak the registry auth protocol, and a
private CA with an https server that presents its certificate."""

from __future__ import annotations

import base64
import dataclasses
import http.server
import json
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclasses.dataclass
class Seen:
    """One request a server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)

    @property
    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", "")


@dataclasses.dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: bytes = b""


Handler = Callable[[Seen], Reply]


class Server:
    """An HTTP server in a thread; ``handler`` answers, ``seen`` records every request."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.seen: list[Seen] = []
        outer = self

        class _H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                outer.seen.append(seen)
                reply = outer.handler(seen)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def routes(self) -> list[str]:
        return [f"{s.method} {s.route}" for s in self.seen]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], Server]]:
    """Start servers with ``serve(handler)``; all are stopped at the end of the test."""
    started: list[Server] = []

    def start(handler: Handler) -> Server:
        server = Server(handler)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def token_reply(**fields: object) -> Reply:
    return Reply(200, {"Content-Type": "application/json"}, json.dumps(fields).encode())


@pytest.fixture(autouse=True)
def _no_env_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback servers must be reached directly even if the machine sets a proxy."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@dataclasses.dataclass(frozen=True)
class FakeRegistry:
    """A registry name pointing at a loopback server, with a chosen scheme rule."""

    registry_str: str
    scheme: str = "http"
    insecure: bool = False


@pytest.fixture
def kit() -> object:
    """Helpers for tests (pytest's importlib mode cannot import conftest directly)."""

    class Kit:
        pass

    k = Kit()
    k.Reply = Reply  # type: ignore[attr-defined]
    k.basic = basic  # type: ignore[attr-defined]
    k.token_reply = token_reply  # type: ignore[attr-defined]
    k.FakeRegistry = FakeRegistry  # type: ignore[attr-defined]
    return k


_HELPER = """#!{python}
import json, sys
store_path = {store!r}
try:
    store = json.load(open(store_path))
except FileNotFoundError:
    store = {{}}
action = sys.argv[1]
data = sys.stdin.read()
server = json.loads(data)["ServerURL"] if action == "store" else data
open(store_path + ".log", "a").write(action + " " + server + "\\n")
if action == "get":
    if data.strip() == "broken.example":
        sys.stdout.write("helper exploded")
        sys.exit(2)
    if data.strip() not in store:
        sys.stdout.write("credentials not found in native keychain")
        sys.exit(1)
    user, secret = store[data.strip()]
    json.dump({{"ServerURL": data.strip(), "Username": user, "Secret": secret}}, sys.stdout)
elif action == "store":
    entry = json.loads(data)
    store[entry["ServerURL"]] = [entry["Username"], entry["Secret"]]
    json.dump(store, open(store_path, "w"))
elif action == "erase":
    if data.strip() not in store:
        sys.stdout.write("credentials not found in native keychain")
        sys.exit(1)
    del store[data.strip()]
    json.dump(store, open(store_path, "w"))
"""


@pytest.fixture
def helper(tmp_path, monkeypatch):
    """A fake ``docker-credential-test`` on PATH; returns its store path (a JSON file)."""
    import os
    import sys

    bindir = tmp_path / "bin"
    bindir.mkdir()
    store = tmp_path / "helper-store.json"
    script = bindir / "docker-credential-test"
    script.write_text(_HELPER.format(python=sys.executable, store=str(store)))
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}")
    return store


def _openssl(*args: str, cwd: object) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made here."""
    d = tmp_path_factory.mktemp("pki")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        cwd=d,
    )
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    for leaf in ("server", "client"):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={leaf}",
            "-keyout",
            f"{leaf}.key",
            "-out",
            f"{leaf}.csr",
            cwd=d,
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{leaf}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-out",
            f"{leaf}.pem",
            cwd=d,
        )
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=other",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
        cwd=d,
    )
    return d


@pytest.fixture
def tls_server(pki):
    """An https registry answering 200 on /v2/; with ``require_client`` it wants mTLS."""
    servers = []

    def start(require_client=False):
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
        if require_client:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(pki / "ca.pem")
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(httpd)
        return f"127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
