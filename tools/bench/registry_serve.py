"""Benchmarks of the embedded registry against the targets of issue 3.

- upload 1 GB to ``crane registry serve --disk`` (streamed PATCH, then PUT): the
  server's peak RSS must stay under 80 MB;
- GET the 1 GB blob back over loopback: 400 MB/s or more;
- 1,000 manifest HEADs from 4 concurrent keep-alive clients: 800 requests/s or more.

``python tools/bench/registry_serve.py [--size-mb N]`` prints a markdown table and
exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import sys
import tempfile
import threading
import time

from _common import python_env
from pytest_containerregistry import start_registry_process

CHUNK = 1 << 20


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _upload(port: int, size: int) -> tuple[str, float]:
    # One random MiB repeated: the server hashes and writes every byte all the same.
    block = os.urandom(CHUNK)
    hasher = hashlib.sha256()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("POST", "/v2/bench/blobs/uploads/")
    response = conn.getresponse()
    response.read()
    location = response.getheader("Location")
    assert response.status == 202
    assert location
    start = time.perf_counter()
    conn.putrequest("PATCH", location)
    conn.putheader("Content-Length", str(size))
    conn.putheader("Content-Type", "application/octet-stream")
    conn.endheaders()
    sent = 0
    while sent < size:
        piece = block[: min(CHUNK, size - sent)]
        conn.send(piece)
        hasher.update(piece)
        sent += len(piece)
    response = conn.getresponse()
    response.read()
    assert response.status == 202, response.status
    digest = "sha256:" + hasher.hexdigest()
    conn.request("PUT", f"{location}?digest={digest}")
    response = conn.getresponse()
    response.read()
    assert response.status == 201, response.status
    elapsed = time.perf_counter() - start
    conn.close()
    return digest, elapsed


def _download(port: int, digest: str, size: int) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    buffer = memoryview(bytearray(4 * CHUNK))
    start = time.perf_counter()
    conn.request("GET", f"/v2/bench/blobs/{digest}")
    response = conn.getresponse()
    assert response.status == 200
    received = 0
    while True:
        count = response.readinto(buffer)
        if not count:
            break
        received += count
    elapsed = time.perf_counter() - start
    conn.close()
    assert received == size, (received, size)
    return elapsed


def _push_manifest(port: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    config = b"{}"
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    conn.request("POST", f"/v2/bench/blobs/uploads/?digest={digest}", body=config)
    conn.getresponse().read()
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/json", "digest": digest, "size": 2},
            "layers": [],
        }
    ).encode()
    headers = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    conn.request("PUT", "/v2/bench/manifests/latest", body=manifest, headers=headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 201
    conn.close()


def _heads(port: int, total: int, clients: int) -> float:
    def worker(count: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(count):
            conn.request("HEAD", "/v2/bench/manifests/latest")
            response = conn.getresponse()
            response.read()
            assert response.status == 200
        conn.close()

    threads = [threading.Thread(target=worker, args=(total // clients,)) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="blob size (default 1024)")
    args = parser.parse_args()
    size = args.size_mb * CHUNK
    failures = 0
    with (
        tempfile.TemporaryDirectory(prefix="bench-registry-") as disk,
        start_registry_process("--disk", disk, env=python_env()) as served,
    ):
        port = served.port
        _push_manifest(port)
        _heads(port, 100, 4)  # warm-up: threads, connections, code paths
        head_seconds = _heads(port, 1000, 4)
        digest, up_seconds = _upload(port, size)
        rss = _peak_rss_mb(served.process.pid)
        down_seconds = _download(port, digest, size)
    mb = size / 1e6
    rows = [
        (
            "1,000 manifest HEADs, 4 clients",
            f"{1000 / head_seconds:,.0f} req/s",
            "≥ 800 req/s",
            1000 / head_seconds >= 800,
        ),
        (f"upload {args.size_mb} MiB (PATCH + PUT)", f"{mb / up_seconds:,.0f} MB/s", "-", True),
        ("server peak RSS during upload", f"{rss:.1f} MB", "< 80 MB", rss < 80),
        (
            f"GET {args.size_mb} MiB from --disk",
            f"{mb / down_seconds:,.0f} MB/s",
            "≥ 400 MB/s",
            mb / down_seconds >= 400,
        ),
    ]
    print("| workload | result | target | ok |")
    print("|---|---|---|---|")
    for name, result, target, ok in rows:
        print(f"| {name} | {result} | {target} | {'yes' if ok else 'NO'} |")
        failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
