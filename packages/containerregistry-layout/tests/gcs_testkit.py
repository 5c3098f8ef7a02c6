"""gcp-storage-emulator on loopback, behind a proxy that enforces generation preconditions.

The emulator ignores ``ifGenerationMatch``; real GCS answers 412 when it does not
hold. The proxy checks it against the emulator's own object metadata (under a lock,
so check and write are one step, as in GCS) and passes everything else through.
Imported by name by ``test_gcs.py`` and the integration tests.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

_NAME_IN_BODY = re.compile(rb'"name"\s*:\s*"([^"]+)"')
_BUCKET_IN_PATH = re.compile(r"/b/([^/]+)/o")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for(port: int, process: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gcp-storage-emulator exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError("gcp-storage-emulator did not start")


class PreconditionProxy(http.server.ThreadingHTTPServer):
    """Forwards to the emulator; answers 412 when ``ifGenerationMatch`` does not hold."""

    daemon_threads = True

    def __init__(self, upstream_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream_port = upstream_port
        self.lock = threading.Lock()
        self.rejected = 0
        self.uploads: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def generation(self, bucket: str, name: str) -> int:
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            connection.request("GET", f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status == 404:
            return 0
        return int(json.loads(body)["generation"])


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: PreconditionProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _forward(self, body: bytes) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        wanted = query.get("ifGenerationMatch")
        bucket = _BUCKET_IN_PATH.search(url.path)
        name = query.get("name", [None])[0]
        if name is None:
            found = _NAME_IN_BODY.search(body)
            name = found.group(1).decode() if found else None
        if self.command == "POST" and "/upload/" in url.path and name:
            self.server.uploads.append(name)
        if not (wanted and bucket and name and self.command in ("POST", "PUT")):
            self._forward(body)
            return
        with self.server.lock:
            if self.server.generation(bucket.group(1), name) != int(wanted[0]):
                self.server.rejected += 1
                data = json.dumps(
                    {"error": {"code": 412, "message": "Precondition Failed"}}
                ).encode()
                self.send_response(412)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            self._forward(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


@contextlib.contextmanager
def storage_emulator() -> Iterator[PreconditionProxy]:
    """Run gcp-storage-emulator (in memory) and the proxy; yield the proxy."""
    port = free_port()
    command = [
        os.path.join(os.path.dirname(sys.executable), "gcp-storage-emulator"),
        "start",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--in-memory",
        "-q",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        proxy = PreconditionProxy(port)
        thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield proxy
        finally:
            proxy.shutdown()
            proxy.server_close()
    finally:
        process.terminate()
        process.wait(10)
