"""Three registries on one directory behind nginx: any request may land on any of them.

nginx (Debian's nginx-light, installed by `tools/services up`) spreads requests
round robin, one upstream connection per request, so the requests of one chunked
upload land on different instances. Several clients push at once, the same image
and different ones; then every manifest and blob is read through every instance.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_containerregistry import RegistryProcessFactory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_http import call, free_port

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"
CHUNK = 64 * 1024


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def instances(tmp_path: Path, registry_process: RegistryProcessFactory) -> list[str]:
    """Three ``crane registry serve --disk DIR`` processes on one directory."""
    directory = tmp_path / "shared"
    directory.mkdir()
    return [registry_process("--disk", str(directory)).host for _ in range(3)]


@pytest.fixture
def balancer(instances: list[str], tmp_path: Path) -> Iterator[str]:
    """``host:port`` of nginx in front of the three instances."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.fail(
            'nginx is not installed; install Debian\'s nginx-light: eval "$(tools/services up)"'
        )
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    port = free_port()
    servers = "\n".join(f"        server {address};" for address in instances)
    config = f"""
user root;
worker_processes 1;
error_log {prefix}/logs/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    log_format upstreams '$request_method $upstream_addr';
    access_log {prefix}/logs/access.log upstreams;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    upstream registries {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 0;
        location / {{
            proxy_pass http://registries;
            proxy_http_version 1.1;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
        }}
    }}
}}
"""
    (prefix / "nginx.conf").write_text(config)
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if call(address, "GET", "/v2/")[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"nginx did not start on {address}")
                time.sleep(0.1)
        yield address
    finally:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _push_chunked(address: str, repository: str, data: bytes) -> str:
    status, headers, _ = call(address, "POST", f"/v2/{repository}/blobs/uploads/")
    assert status == 202
    location = headers["location"]
    for first in range(0, len(data), CHUNK):
        part = data[first : first + CHUNK]
        status, headers, body = call(
            address,
            "PATCH",
            location,
            part,
            {"Content-Range": f"{first}-{first + len(part) - 1}"},
        )
        assert status == 202, (status, body)
        assert headers["range"] == f"0-{first + len(part) - 1}"
        location = headers["location"]
    status, _, body = call(address, "PUT", f"{location}?digest={_digest(data)}")
    assert status == 201, (status, body)
    return _digest(data)


def _push_image(address: str, repository: str, seed: int) -> bytes:
    layer = hashlib.sha256(str(seed).encode()).digest() * (40_000 + seed * 1000)
    config = json.dumps({"architecture": "amd64", "os": "linux", "seed": seed}).encode()
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": OCI_CONFIG,
            "digest": _push_chunked(address, repository, config),
            "size": len(config),
        },
        "layers": [
            {
                "mediaType": OCI_LAYER,
                "digest": _push_chunked(address, repository, layer),
                "size": len(layer),
            }
        ],
    }
    manifest = json.dumps(document).encode()
    status, _, body = call(
        address, "PUT", f"/v2/{repository}/manifests/v1", manifest, {"Content-Type": OCI_MANIFEST}
    )
    assert status == 201, (status, body)
    return manifest


def test_chunked_pushes_through_round_robin_land_whole(
    balancer: str, instances: list[str], tmp_path: Path
) -> None:
    jobs = [("lb/same", 1), ("lb/same", 1), ("lb/same", 1), ("lb/one", 2), ("lb/two", 3)]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        pushed = list(pool.map(lambda job: (job[0], _push_image(balancer, *job)), jobs))
    for address in (balancer, *instances):
        for repository, manifest in pushed:
            status, headers, body = call(address, "GET", f"/v2/{repository}/manifests/v1")
            assert (status, body) == (200, manifest), (address, repository)
            assert headers["docker-content-digest"] == _digest(manifest)
            document = json.loads(manifest)
            for descriptor in (document["config"], *document["layers"]):
                status, _, blob = call(
                    address, "GET", f"/v2/{repository}/blobs/{descriptor['digest']}"
                )
                assert status == 200
                assert _digest(blob) == descriptor["digest"]
    status, _, body = call(balancer, "GET", "/v2/_catalog")
    assert json.loads(body)["repositories"] == ["lb/one", "lb/same", "lb/two"]
    # The chunks of the uploads did land on every instance.
    log = (tmp_path / "nginx" / "logs" / "access.log").read_text().splitlines()
    assert {line.split()[1] for line in log if line.startswith("PATCH ")} == set(instances)
    # Nothing half-stored: no upload left, and every stored blob is what its name says.
    root = tmp_path / "shared" / "docker" / "registry" / "v2"
    assert list(root.glob("repositories/**/_uploads/*")) == []
    for data in root.glob("blobs/sha256/*/*/data"):
        assert hashlib.sha256(data.read_bytes()).hexdigest() == data.parent.name
