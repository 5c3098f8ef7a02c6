"""A Google Cloud Storage stand-in for the ``gs://`` CLI tests: gcp-storage-emulator
(in memory, its own process) behind a small loopback front that GCS-style refuses a
write whose ``ifGenerationMatch`` does not hold (the emulator ignores it) and notes
the name of every object uploaded.

Imported by name (``conftest`` puts this folder on ``sys.path``); the name differs
from the layout tests' helper so that one pytest run can load both.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

#: ``/storage/v1/b/<bucket>/o`` and ``/upload/storage/v1/b/<bucket>/o``.
_OBJECTS_OF = re.compile(r"/b/(?P<bucket>[^/]+)/o\b")
#: The object name inside a multipart upload's JSON metadata part.
_METADATA_NAME = re.compile(rb'"name"\s*:\s*"(?P<name>[^"]+)"')


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _exchange(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to the emulator: status, headers and the whole body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class FakeGcs(http.server.ThreadingHTTPServer):
    """The front the storage client talks to (``url`` is for ``STORAGE_EMULATOR_HOST``).

    ``uploads`` lists the object names written, in order, as ``bucket/name``.
    """

    daemon_threads = True

    def __init__(self, emulator_port: int) -> None:
        super().__init__(("127.0.0.1", 0), _Front)
        self.emulator_port = emulator_port
        self.uploads: list[str] = []
        self.refused = 0
        self._writes = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def current_generation(self, bucket: str, name: str) -> int:
        """The object's generation in the emulator, 0 when there is no such object."""
        status, _, body = _exchange(
            self.emulator_port, "GET", f"/storage/v1/b/{bucket}/o/{quote(name, safe='')}"
        )
        return int(json.loads(body)["generation"]) if status == 200 else 0


class _Front(http.server.BaseHTTPRequestHandler):
    server: FakeGcs
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read what the CLI prints, not this server's log."""

    def _reply(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in ("connection", "content-length", "transfer-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _pass_on(self, body: bytes) -> None:
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        self._reply(*_exchange(self.server.emulator_port, self.command, self.path, body, headers))

    def _serve(self) -> None:
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size) if size else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        objects = _OBJECTS_OF.search(parts.path)
        writing = self.command in ("POST", "PUT") and parts.path.startswith("/upload/")
        if not (writing and objects):
            self._pass_on(body)
            return
        bucket = objects.group("bucket")
        named = query.get("name") or [
            m.group("name").decode() for m in [_METADATA_NAME.search(body)] if m
        ]
        wanted = query.get("ifGenerationMatch")
        with self.server._writes:  # the check and the write are one step, as in GCS
            stale = (
                named
                and wanted
                and self.server.current_generation(bucket, named[0]) != int(wanted[0])
            )
            if stale:
                self.server.refused += 1
                answer = {"error": {"code": 412, "message": "Precondition Failed"}}
                self._reply(
                    412, [("Content-Type", "application/json")], json.dumps(answer).encode()
                )
                return
            if named:
                self.server.uploads.append(f"{bucket}/{named[0]}")
            self._pass_on(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gcp-storage-emulator exited with {process.returncode}; install it with "
                "pip install gcp-storage-emulator (nox -s tests does)"
            )
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"gcp-storage-emulator did not listen on 127.0.0.1:{port} within 60 s")


@contextlib.contextmanager
def fake_gcs() -> Iterator[FakeGcs]:
    """Start the emulator and its front; stop both on exit."""
    port = _unused_port()
    command = [sys.executable, "-m", "gcp_storage_emulator", "start"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--in-memory", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_until_listening(port, process)
        front = FakeGcs(port)
        serving = threading.Thread(target=front.serve_forever, args=(0.05,), daemon=True)
        serving.start()
        try:
            yield front
        finally:
            front.shutdown()
            front.server_close()
            serving.join(10)
    finally:
        process.terminate()
        process.wait(10)
