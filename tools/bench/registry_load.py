"""A bounded load run: our registry beside registry:2, under the same mix of clients.

``python tools/bench/registry_load.py [--seconds 60] [--clients 8]`` starts
``crane registry serve --disk DIR`` (once per ``--ours LABEL=ARGS``, default one
plain run) and a ``registry:2`` container of its own on a free loopback port,
seeds both with the same images, then runs the same weighted mix of requests
against each: blob pulls and pushes of 4 KiB, 1 MiB and 16 MiB (the largest pushed
in two chunked PATCHes), manifest HEAD, GET and PUT, tags/list, the catalog and,
where served, the referrers API (of a subject in the client's own repository,
which gains a manifest at every manifest PUT and a referrer at every fourth).
Every registry gets ``--seconds`` in total, split in ``--rounds`` slices that
alternate between the registries so that a burst of other work on the machine
hurts them alike. Each client is a process of its own
with one keep-alive connection. Every answer is checked (status, digest of the
bytes, ``Docker-Content-Digest``); anything else is an error.

It prints a Markdown report (and writes it to ``--output``): per operation, the
rate, p50 and p99 latency and errors, side by side. It exits 1 when a registry of
ours had an error or a lower throughput than registry:2. Everything listens on
127.0.0.1 and everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime
import hashlib
import http.client
import json
import multiprocessing
import os
import pathlib
import platform
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from _common import REGISTRY_LOAD, python_env, refresh_registry_load_section
from pytest_containerregistry import RegistryFixtureError, RegistryProcess, start_registry_process

KIB = 1 << 10
MIB = 1 << 20
REGISTRY2_IMAGE = "registry:2"
SEED_REPOSITORY = "load/seed"
SEED_TAGS = 4
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
#: Per-request socket timeout: a registry that stalls this long counts an error.
REQUEST_TIMEOUT = 60.0


@dataclasses.dataclass(frozen=True)
class Operation:
    """One kind of request in the mix: ``weight`` out of the sum of all weights."""

    name: str
    weight: int
    size: int = 0
    #: False when registry:2 (Distribution 2.8) does not serve it.
    on_registry2: bool = True


OPERATIONS = [
    Operation("manifest HEAD", 20),
    Operation("manifest GET", 15),
    Operation("blob GET 4 KiB", 15, 4 * KIB),
    Operation("blob GET 1 MiB", 10, MIB),
    Operation("blob GET 16 MiB", 3, 16 * MIB),
    Operation("blob push 4 KiB", 8, 4 * KIB),
    Operation("blob push 1 MiB", 5, MIB),
    Operation("blob push 16 MiB", 1, 16 * MIB),
    Operation("manifest PUT", 8),
    Operation("tags/list", 4),
    Operation("catalog", 2),
    Operation("referrers", 3, on_registry2=False),
]


class LoadError(Exception):
    """An answer that is not the one the operation expects."""


# --- what the registries are seeded with ---------------------------------------------


def _blob(size: int, salt: bytes) -> bytes:
    """``size`` bytes unique to ``salt``, cheap to make: the salt then a repeated block."""
    head = hashlib.sha256(salt).digest()
    return (head * (size // len(head) + 1))[:size]


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclasses.dataclass
class Seed:
    """What every registry holds before the clients start."""

    blobs: dict[int, tuple[str, int]]  # size -> (digest, size)
    tags: dict[str, str]  # tag -> manifest digest


def _manifest(config: str, layers: list[tuple[str, int]], **extra: Any) -> bytes:
    document = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": config,
            "size": 2,
        },
        "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s}
            for d, s in layers
        ],
        **extra,
    }
    return json.dumps(document, separators=(",", ":")).encode()


# --- one client --------------------------------------------------------------------


class Client:
    """One keep-alive connection to a registry, reopened after any failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            self._conn.request(method, path, body=body, headers=headers or {})
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, response.headers, data

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def expect(
        self,
        status: int,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[http.client.HTTPMessage, bytes]:
        got, response_headers, data = self.request(method, path, body, headers)
        if got != status:
            raise LoadError(f"{method} {path.split('?')[0]} answered {got}, not {status}")
        return response_headers, data

    def push_blob(self, repository: str, data: bytes, chunks: int = 1) -> str:
        """POST, then ``chunks - 1`` PATCHes with Content-Range, then PUT with the rest."""
        digest = _digest(data)
        headers, _ = self.expect(202, "POST", f"/v2/{repository}/blobs/uploads/")
        location = _path_of(headers.get("Location", ""))
        step = len(data) // chunks
        offset = 0
        for _ in range(chunks - 1):
            piece = data[offset : offset + step]
            headers, _ = self.expect(
                202,
                "PATCH",
                location,
                piece,
                {
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"{offset}-{offset + len(piece) - 1}",
                },
            )
            location = _path_of(headers.get("Location", ""))
            offset += len(piece)
        separator = "&" if "?" in location else "?"
        headers, _ = self.expect(
            201,
            "PUT",
            f"{location}{separator}digest={digest}",
            data[offset:],
            {"Content-Type": "application/octet-stream"},
        )
        if headers.get("Docker-Content-Digest") != digest:
            raise LoadError(f"blob PUT answered digest {headers.get('Docker-Content-Digest')}")
        return digest

    def put_manifest(self, repository: str, reference: str, data: bytes) -> str:
        digest = _digest(data)
        headers, _ = self.expect(
            201,
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            data,
            {"Content-Type": OCI_MANIFEST},
        )
        if headers.get("Docker-Content-Digest") != digest:
            raise LoadError(f"manifest PUT answered {headers.get('Docker-Content-Digest')}")
        return digest


def _path_of(location: str) -> str:
    """The path and query of a Location (registry:2 answers absolute URLs)."""
    if not location:
        raise LoadError("an upload answer has no Location")
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def seed(host: str, port: int) -> Seed:
    """Push the seed images every client pulls."""
    client = Client(host, port)
    config = client.push_blob(SEED_REPOSITORY, b"{}")
    blobs: dict[int, tuple[str, int]] = {}
    for size in sorted({op.size for op in OPERATIONS if op.size}):
        data = _blob(size, f"seed-{size}".encode())
        blobs[size] = (client.push_blob(SEED_REPOSITORY, data), size)
    tags = {}
    for index in range(SEED_TAGS):
        layers = [blobs[size] for size in sorted(blobs)][: index % len(blobs) + 1]
        manifest = _manifest(config, layers, annotations={"seed": str(index)})
        tags[f"v{index}"] = client.put_manifest(SEED_REPOSITORY, f"v{index}", manifest)
    client.close()
    return Seed(blobs, tags)


@dataclasses.dataclass
class Tally:
    """What one client saw of one operation."""

    latencies: list[float] = dataclasses.field(default_factory=list)
    bytes: int = 0
    errors: int = 0
    messages: list[str] = dataclasses.field(default_factory=list)


def run_client(
    host: str, port: int, index: int, seconds: float, seeded: Seed, registry2: bool, salt: str
) -> dict[str, Tally]:
    """One client: a weighted random mix of operations for ``seconds``."""
    rng = random.Random(f"{salt}-{index}")
    operations = [op for op in OPERATIONS if op.on_registry2 or not registry2]
    weights = [op.weight for op in operations]
    tallies: dict[str, Tally] = collections.defaultdict(Tally)
    client = Client(host, port)
    repository = f"load/client{index}"
    counter = 0
    config = client.push_blob(repository, b"{}")
    layer = (client.push_blob(repository, _blob(4 * KIB, f"{salt}-{index}".encode())), 4 * KIB)
    tags = list(seeded.tags)
    # Every fourth manifest PUT refers to this one: its referrers grow with the
    # repository, which holds every manifest this client ever pushed.
    subject = client.put_manifest(
        repository, f"subject-{salt}", _manifest(config, [layer], annotations={"s": salt})
    )
    referrers = 0

    def one(op: Operation) -> int:
        nonlocal counter, referrers
        counter += 1
        if op.name == "manifest HEAD":
            tag = rng.choice(tags)
            headers, _ = client.expect(
                200,
                "HEAD",
                f"/v2/{SEED_REPOSITORY}/manifests/{tag}",
                headers={"Accept": OCI_MANIFEST},
            )
            if headers.get("Docker-Content-Digest") != seeded.tags[tag]:
                raise LoadError(f"HEAD {tag} answered {headers.get('Docker-Content-Digest')}")
            return 0
        if op.name == "manifest GET":
            tag = rng.choice(tags)
            _, data = client.expect(
                200,
                "GET",
                f"/v2/{SEED_REPOSITORY}/manifests/{tag}",
                headers={"Accept": OCI_MANIFEST},
            )
            if _digest(data) != seeded.tags[tag]:
                raise LoadError(f"GET {tag} answered other bytes")
            return len(data)
        if op.name.startswith("blob GET"):
            digest, size = seeded.blobs[op.size]
            _, data = client.expect(200, "GET", f"/v2/{SEED_REPOSITORY}/blobs/{digest}")
            if len(data) != size or _digest(data) != digest:
                raise LoadError(f"GET {digest} answered {len(data)} other bytes")
            return size
        if op.name.startswith("blob push"):
            data = _blob(op.size, f"{salt}-{index}-{counter}".encode())
            client.push_blob(repository, data, chunks=2 if op.size >= 16 * MIB else 1)
            return op.size
        if op.name == "manifest PUT":
            extra: dict[str, Any] = {"annotations": {"n": f"{salt}-{counter}"}}
            if counter % 4 == 0:
                extra["subject"] = {"mediaType": OCI_MANIFEST, "digest": subject, "size": 0}
            manifest = _manifest(config, [layer], **extra)
            client.put_manifest(repository, f"t{counter}", manifest)
            referrers += "subject" in extra
            return len(manifest)
        if op.name == "tags/list":
            _, data = client.expect(200, "GET", f"/v2/{SEED_REPOSITORY}/tags/list")
            if sorted(json.loads(data)["tags"]) != sorted(tags):
                raise LoadError(f"tags/list answered {data[:80]!r}")
            return len(data)
        if op.name == "catalog":
            _, data = client.expect(200, "GET", "/v2/_catalog?n=1000")
            if SEED_REPOSITORY not in json.loads(data)["repositories"]:
                raise LoadError(f"the catalog lacks {SEED_REPOSITORY}")
            return len(data)
        if op.name == "referrers":
            _, data = client.expect(200, "GET", f"/v2/{repository}/referrers/{subject}")
            if len(json.loads(data)["manifests"]) != referrers:
                raise LoadError(f"referrers answered {data[:80]!r}, not {referrers} manifests")
            return len(data)
        raise AssertionError(op.name)

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        op = rng.choices(operations, weights)[0]
        tally = tallies[op.name]
        start = time.perf_counter()
        try:
            moved = one(op)
        except (LoadError, OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            tally.errors += 1
            if len(tally.messages) < 3:
                tally.messages.append(f"{type(exc).__name__}: {exc}")
            client.close()
            continue
        tally.latencies.append(time.perf_counter() - start)
        tally.bytes += moved
    client.close()
    return dict(tallies)


def _client_entry(args: tuple[Any, ...]) -> dict[str, Tally]:
    return run_client(*args)


# --- the registries ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/v2/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"registry_load: {what} did not answer on 127.0.0.1:{port} in {seconds} s")


@dataclasses.dataclass
class Target:
    """A registry under test: how to start and stop it."""

    label: str
    registry2: bool
    start: Callable[[], int]
    stop: Callable[[], None]
    cpu_seconds: Callable[[], float]


def ours(label: str, extra: list[str], workdir: str) -> Target:
    """``crane registry serve --disk DIR`` with ``extra`` arguments."""
    disk = tempfile.mkdtemp(prefix="ours-", dir=workdir)
    state: dict[str, RegistryProcess] = {}

    def start() -> int:
        try:
            served = start_registry_process("--disk", disk, *extra, env=python_env())
        except RegistryFixtureError as exc:
            raise SystemExit(f"registry_load: {label}: {exc}") from None
        state["served"] = served
        return served.port

    def stop() -> None:
        served = state.pop("served", None)
        if served is not None:
            served.stop(timeout=10)

    def cpu_seconds() -> float:
        served = state.get("served")
        return _tree_cpu_seconds(served.process.pid) if served is not None else 0.0

    return Target(label, False, start, stop, cpu_seconds)


def _tree_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of ``pid`` and its children (workers of a server)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending += [int(child) for child in children.read().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def registry2(workdir: str, image: str) -> Target:
    """A ``registry:2`` container of this run (never the shared ``cr-registry2``)."""
    root = tempfile.mkdtemp(prefix="registry2-", dir=workdir)
    name = f"cr-load-registry2-{os.getpid()}"
    port = free_port()

    def start() -> int:
        if shutil.which("docker") is None:
            raise SystemExit("registry_load: docker is not installed; run `tools/services up`")
        subprocess.run(
            [
                "docker",
                "run",
                "-d",
                "--rm",
                "--name",
                name,
                "--network",
                "host",
                "-e",
                f"REGISTRY_HTTP_ADDR=127.0.0.1:{port}",
                "-e",
                "REGISTRY_STORAGE_DELETE_ENABLED=true",
                "-e",
                "REGISTRY_LOG_LEVEL=error",
                "-v",
                f"{root}:/var/lib/registry",
                image,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        wait_for(port, f"the {image} container {name}")
        return port

    def stop() -> None:
        subprocess.run(["docker", "rm", "-f", name], check=False, capture_output=True)

    def cpu_seconds() -> float:
        done = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Pid}}", name],
            capture_output=True,
            text=True,
            check=False,
        )
        pid = done.stdout.strip()
        return _tree_cpu_seconds(int(pid)) if pid.isdigit() and pid != "0" else 0.0

    return Target(f"registry:2 ({_registry2_version(image)})", True, start, stop, cpu_seconds)


def _registry2_version(image: str) -> str:
    """``Distribution 2.8.2`` from the image's binary, or the image name."""
    done = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "/bin/registry", image, "--version"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    match = re.search(r"distribution v?(\d+\.\d+\.\d+)", done.stdout)
    return f"Distribution {match.group(1)}" if match else image


# --- the run ----------------------------------------------------------------------


@dataclasses.dataclass
class Result:
    label: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    tallies: dict[str, Tally] = dataclasses.field(default_factory=dict)

    def add(self, tallies: dict[str, Tally]) -> None:
        for name, tally in tallies.items():
            mine = self.tallies.setdefault(name, Tally())
            mine.latencies += tally.latencies
            mine.bytes += tally.bytes
            mine.errors += tally.errors
            mine.messages += tally.messages[: max(0, 3 - len(mine.messages))]

    @property
    def operations(self) -> int:
        return sum(len(t.latencies) for t in self.tallies.values())

    @property
    def errors(self) -> int:
        return sum(t.errors for t in self.tallies.values())

    @property
    def megabytes(self) -> float:
        return sum(t.bytes for t in self.tallies.values()) / 1e6


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_slice(
    target: Target, port: int, seeded: Seed, seconds: float, clients: int, salt: str, result: Result
) -> None:
    args = [
        ("127.0.0.1", port, index, seconds, seeded, target.registry2, salt)
        for index in range(clients)
    ]
    context = multiprocessing.get_context("fork")
    cpu_before = target.cpu_seconds()
    start = time.perf_counter()
    with context.Pool(clients) as pool:
        for tallies in pool.imap_unordered(_client_entry, args):
            result.add(tallies)
    result.seconds += time.perf_counter() - start
    result.cpu_seconds += target.cpu_seconds() - cpu_before


def _ms(seconds: float) -> str:
    return "-" if seconds != seconds else f"{seconds * 1000:.1f}"


def report(results: list[Result], args: argparse.Namespace, command: str) -> str:
    lines = [
        "# Registry load run",
        "",
        f"{args.clients} clients (a process each, one keep-alive connection), "
        f"{args.seconds:g} s per registry in {args.rounds} alternating slices, on "
        f"{os.cpu_count()} cores shared with the clients ({platform.python_implementation()} "
        f"{platform.python_version()}, {datetime.date.today().isoformat()}). Rates are "
        "operations per second of the whole run; latencies are per operation (a blob "
        "push is its POST, PATCHes and PUT).",
        "",
        "## Totals",
        "",
        "| registry | ops/s | MB/s | errors | server CPU s per 1,000 ops |",
        "|---|---:|---:|---:|---:|",
    ]
    for result in results:
        per_k = result.cpu_seconds / result.operations * 1000 if result.operations else 0.0
        lines.append(
            f"| {result.label} | {result.operations / result.seconds:,.1f} | "
            f"{result.megabytes / result.seconds:,.1f} | {result.errors} | {per_k:.2f} |"
        )
    header = "| operation |" + "".join(
        f" {r.label} ops/s | p50 ms | p99 ms | errors |" for r in results
    )
    lines += ["", "## Per operation", "", header, "|---|" + "---:|---:|---:|---:|" * len(results)]
    for op in OPERATIONS:
        row = f"| {op.name} |"
        for result in results:
            tally = result.tallies.get(op.name)
            if tally is None:
                row += " n/a | | | |"
                continue
            row += (
                f" {len(tally.latencies) / result.seconds:,.1f} | "
                f"{_ms(percentile(tally.latencies, 0.5))} | "
                f"{_ms(percentile(tally.latencies, 0.99))} | {tally.errors} |"
            )
        lines.append(row)
    messages = [
        (r.label, name, m) for r in results for name, t in r.tallies.items() for m in t.messages
    ]
    if messages:
        lines += ["", "## First errors", ""]
        lines += [f"- {label}, {name}: {message}" for label, name, message in messages]
    lines += [
        "",
        "## Reproduce",
        "",
        "```",
        "tools/services up        # dockerd and the registry:2 image",
        "nox -s registry-load     # or: " + command,
        "```",
        "",
        "registry:2 runs in a container of its own (`--network host`, its storage in a "
        "bind-mounted temporary directory, `storage.cache.blobdescriptor: inmemory` as "
        "its image configures it); ours runs as `crane registry serve --disk DIR`. Both "
        "start empty and get the same seed images. `referrers` is not served by "
        "registry:2 (Distribution 2.8) and is left out of its mix.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="load time per registry (default 60)"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent client processes (default 8)"
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternating slices the time is split in (default 2)"
    )
    parser.add_argument(
        "--ours",
        action="append",
        default=[],
        metavar="LABEL=ARGS",
        help="a variant of ours: a label and extra `crane registry serve` "
        "arguments (repeatable; default one plain run)",
    )
    parser.add_argument(
        "--image", default=REGISTRY2_IMAGE, help=f"the registry:2 image (default {REGISTRY2_IMAGE})"
    )
    parser.add_argument("--output", help="also write the report to this file")
    args = parser.parse_args()
    variants = [v.partition("=") for v in args.ours] or [("ours", "=", "")]
    shown = [
        os.path.relpath(arg) if os.path.isabs(arg) and arg.startswith(os.getcwd()) else arg
        for arg in sys.argv[1:]
    ]
    command = "python tools/bench/registry_load.py " + shlex.join(shown)
    with tempfile.TemporaryDirectory(prefix="registry-load-") as workdir:
        targets = [registry2(workdir, args.image)]
        targets += [
            ours(f"ours ({label})" if label != "ours" else "ours", shlex.split(extra), workdir)
            for label, _, extra in variants
        ]
        results = [Result(t.label) for t in targets]
        ports: dict[str, int] = {}
        seeds: dict[str, Seed] = {}
        try:
            for target in targets:
                ports[target.label] = target.start()
                seeds[target.label] = seed("127.0.0.1", ports[target.label])
            for round_index in range(args.rounds):
                order = targets if round_index % 2 == 0 else targets[::-1]
                for target in order:
                    result = results[targets.index(target)]
                    print(
                        f"registry_load: round {round_index + 1}, {target.label}",
                        file=sys.stderr,
                        flush=True,
                    )
                    run_slice(
                        target,
                        ports[target.label],
                        seeds[target.label],
                        args.seconds / args.rounds,
                        args.clients,
                        f"r{round_index}",
                        result,
                    )
        finally:
            for target in targets:
                target.stop()
    text = report(results, args, command)
    print(text)
    if args.output:
        with open(args.output, "w") as output:
            output.write(text)
        if pathlib.Path(args.output).resolve() == REGISTRY_LOAD.resolve():
            refresh_registry_load_section()
    baseline = results[0]
    failed = False
    for result in results[1:]:
        if result.errors or result.operations / result.seconds < (
            baseline.operations / baseline.seconds
        ):
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
