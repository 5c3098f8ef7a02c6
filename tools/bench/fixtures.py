"""Fixtures of the benchmark suite, built once into a work directory and two registries.

- six layer tars of real files from this machine (``/usr/lib``, ``/usr/share``),
  about 700 MB together: ``bench/image:v1``;
- a 3-platform index whose children have two layers of other real files each:
  ``bench/index:v1``;
- one repository with 2,000 tags (``bench/tags``) and 300 repositories
  (``bench/repos/rNNN``) of a tiny image;
- a 200 MB uncompressed tar to append.

The tars stay in the work directory and the embedded registry keeps its ``--disk``
there, so a second run of the suite only checks that everything is in place.
registry:2 keeps its storage in its container; seeding it is skipped the same way.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import http.client
import json
import os
import pathlib
import re
import subprocess
import sys
import tarfile
from collections.abc import Iterator

from _common import python_env
from pytest_containerregistry import start_registry_process

MB = 1_000_000
IMAGE = "bench/image:v1"
INDEX = "bench/index:v1"
TAGS_REPO = "bench/tags"
TAG_COUNT = 2000
REPO_COUNT = 300
ARCHITECTURES = ("amd64", "arm64", "s390x")
#: Real files, largest trees first; files are dealt to the tars in sorted order.
SOURCES = ("/usr/lib", "/usr/share")
IMAGE_LAYER_MB = 117  # x 6 = ~700 MB
CHILD_LAYER_MB = 40  # x 2 layers x 3 platforms
APPEND_MB = 200


#: The console script pip installs beside this interpreter (what users run as ``crane``).
CRANE_SCRIPT = pathlib.Path(sys.executable).with_name("crane")


def crane(*args: str) -> list[str]:
    """argv of our crane: the ``crane`` script installed beside this interpreter when
    there is one (as users run it; ``python -m`` adds runpy's imports to every start),
    else ``python -m containerregistry.crane.cli``."""
    if CRANE_SCRIPT.is_file():
        return [sys.executable, str(CRANE_SCRIPT), *args]
    return [sys.executable, "-m", "containerregistry.crane.cli", *args]


def run(argv: list[str]) -> str:
    done = subprocess.run(argv, env=python_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:6])} failed: {done.stderr.strip()[-800:]}")
    return done.stdout


def _real_files() -> Iterator[pathlib.Path]:
    """Regular files under SOURCES, in a stable order, skipping what can't be read."""
    for top in SOURCES:
        for directory, dirs, files in os.walk(top):
            dirs.sort()
            for name in sorted(files):
                path = pathlib.Path(directory, name)
                if path.is_file() and not path.is_symlink() and os.access(path, os.R_OK):
                    yield path


def _deal_tars(targets: list[tuple[pathlib.Path, int]]) -> None:
    """Fill each (path, size in bytes) tar with the next real files until it is full."""
    files = _real_files()
    for path, budget in targets:
        partial = path.with_suffix(".partial")
        written = 0
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for source in files:
                size = source.stat().st_size
                if size > budget // 4:
                    continue  # keep layers made of many files, as real ones are
                tar.add(source, arcname=str(source).lstrip("/"), recursive=False)
                written += size + 512
                if written >= budget:
                    break
        partial.rename(path)


def build_tars(workdir: pathlib.Path) -> dict[str, list[pathlib.Path]]:
    """Make (or find) every tar of the fixtures; return them by use."""
    layers = [workdir / f"layer-{n}.tar" for n in range(6)]
    children = {
        arch: [workdir / f"child-{arch}-{n}.tar" for n in range(2)] for arch in ARCHITECTURES
    }
    append = workdir / "append.tar"
    targets = [(p, IMAGE_LAYER_MB * MB) for p in layers]
    for paths in children.values():
        targets += [(p, CHILD_LAYER_MB * MB) for p in paths]
    targets.append((append, APPEND_MB * MB))
    if not all(path.exists() for path, _ in targets):
        _deal_tars(targets)
    out = {"image": layers, "append": [append]}
    out.update({f"child-{arch}": paths for arch, paths in children.items()})
    return out


class EmbeddedRegistry:
    """``crane registry serve --disk`` on a loopback port, as a child process."""

    def __init__(self, disk: pathlib.Path) -> None:
        disk.mkdir(parents=True, exist_ok=True)
        self.served = start_registry_process("--disk", str(disk), env=python_env())
        self.host = self.served.host

    def stop(self) -> None:
        self.served.stop()


def _request(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response


def _exists(host: str, repository: str, reference: str) -> bool:
    conn = http.client.HTTPConnection(host)
    accept = "application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json"
    accept += ",application/vnd.docker.distribution.manifest.v2+json"
    accept += ",application/vnd.docker.distribution.manifest.list.v2+json"
    response = _request(
        conn, "HEAD", f"/v2/{repository}/manifests/{reference}", headers={"Accept": accept}
    )
    conn.close()
    return response.status == 200


def _tag_count(host: str, repository: str) -> int:
    conn = http.client.HTTPConnection(host)
    conn.request("GET", f"/v2/{repository}/tags/list?n=10000")
    response = conn.getresponse()
    body = response.read()
    conn.close()
    if response.status != 200:
        return 0
    return len(json.loads(body).get("tags") or [])


def _tiny_manifest(host: str, repository: str) -> bytes:
    """Upload a small config blob to ``repository``; return a manifest that uses it."""
    config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    conn = http.client.HTTPConnection(host)
    response = _request(conn, "POST", f"/v2/{repository}/blobs/uploads/")
    location = response.getheader("Location") or ""
    location = re.sub(r"^https?://[^/]+", "", location)
    separator = "&" if "?" in location else "?"
    response = _request(
        conn,
        "PUT",
        f"{location}{separator}digest={digest}",
        body=config,
        headers={"Content-Type": "application/octet-stream"},
    )
    conn.close()
    if response.status != 201:
        raise RuntimeError(f"config upload to {host}/{repository} failed: {response.status}")
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": digest,
                "size": len(config),
            },
            "layers": [],
        }
    ).encode()


def _put_manifests(host: str, targets: list[tuple[str, str]], manifest: bytes) -> None:
    """PUT ``manifest`` at every (repository, tag), on 4 keep-alive connections."""
    headers = {"Content-Type": "application/vnd.oci.image.manifest.v1+json"}

    def worker(share: list[tuple[str, str]]) -> None:
        conn = http.client.HTTPConnection(host)
        for repository, tag in share:
            response = _request(conn, "PUT", f"/v2/{repository}/manifests/{tag}", manifest, headers)
            if response.status != 201:
                raise RuntimeError(f"PUT {host}/{repository}:{tag} failed: {response.status}")
        conn.close()

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(worker, [targets[n::4] for n in range(4)]))


def seed(host: str, tars: dict[str, list[pathlib.Path]], *, source: str | None = None) -> None:
    """Put every registry fixture into ``host``: built from the tars, or copied from
    ``source`` (another registry that has them) when given."""
    if not _exists(host, *IMAGE.split(":")):
        if source:
            run(crane("copy", f"{source}/{IMAGE}", f"{host}/{IMAGE}"))
        else:
            flags = [arg for path in tars["image"] for arg in ("-f", str(path))]
            run(crane("append", *flags, "-t", f"{host}/{IMAGE}"))
    if not _exists(host, *INDEX.split(":")):
        if source:
            run(crane("copy", f"{source}/{INDEX}", f"{host}/{INDEX}"))
        else:
            children = []
            for arch in ARCHITECTURES:
                child = f"{host}/bench/child:{arch}"
                flags = [arg for path in tars[f"child-{arch}"] for arg in ("-f", str(path))]
                run(crane("append", *flags, "-t", child))
                run(crane("mutate", child, "--set-platform", f"linux/{arch}", "-t", child))
                children += ["-m", child]
            run(crane("index", "append", *children, "-t", f"{host}/{INDEX}"))
    if _tag_count(host, TAGS_REPO) < TAG_COUNT:
        manifest = _tiny_manifest(host, TAGS_REPO)
        _put_manifests(host, [(TAGS_REPO, f"t{n:04d}") for n in range(TAG_COUNT)], manifest)
    last_repo = f"bench/repos/r{REPO_COUNT - 1:03d}"
    if not _exists(host, last_repo, "latest"):
        targets = []
        for n in range(REPO_COUNT):
            repository = f"bench/repos/r{n:03d}"
            targets.append((repository, "latest"))
            manifest = _tiny_manifest(host, repository)
        _put_manifests(host, targets, manifest)


def compressed_size(host: str, reference: str = IMAGE) -> int:
    """Bytes of an image's layers as the registry stores them."""
    manifest = json.loads(run(crane("manifest", f"{host}/{reference}")))
    return sum(int(layer["size"]) for layer in manifest["layers"])


class FreshDistribution:
    """A new, empty Distribution registry (the binary registry:2 runs) on a new port.

    Writes that should move every byte get one each: registry:2 already holds the
    fixture blobs, and skopeo's blob-info cache would turn uploads to it into
    cross-repository mounts. A new host:port has no cache entries.
    """

    BINARY = "/usr/bin/docker-registry"

    def __init__(self, storage: pathlib.Path) -> None:
        import socket
        import time

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        storage.mkdir(parents=True, exist_ok=True)
        self.storage = storage
        config = storage / "config.yml"
        config.write_text(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {storage / 'data'}\nhttp:\n  addr: 127.0.0.1:{port}\n"
        )
        self.host = f"127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [self.BINARY, "serve", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection(self.host, timeout=1)
                status = _request(conn, "GET", "/v2/").status
                conn.close()
                if status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.BINARY} did not answer on {self.host}")

    def stop(self) -> None:
        import shutil

        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.storage, ignore_errors=True)
