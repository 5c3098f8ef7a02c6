"""``gcrane ls -r`` over 1,000 repositories on loopback, against the 10 s target.

A separate process serves the embedded registry's GCR flavour (``Registry(gcr=True)``:
``tags/list`` answers with ``child`` and ``manifest``) on 127.0.0.1, holding 1,000
repositories in a tree under one project root, ``proj/team-NN/svc-N/app-NN`` (10
teams, 4 services each, 25 apps each; the 51 folders above them hold no image of
their own). Eight small random images are pushed once; every repository is then
given one of them, tagged with 1 to 3 tags, straight through the registry's
storage, and every fourth one also an older untagged image, so setting up takes
under two seconds. Each run is a fresh interpreter (``python -m
containerregistry.gcrane.cli ls -r HOST/proj``, then the same with ``--json``) with
cached bytecode (one warm-up run first); its output is checked line by line against
the tree the server built (the run fails if anything is missing or extra). The
median of ``--runs`` (default 5) wall times is reported with the worst peak RSS of
the listing process (``ru_maxrss`` from ``wait4``). Usage:

    python tools/bench/gcrane_ls.py [--runs 5] [--repos 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _common import child_server, markdown_table, python_env

#: The target for ``gcrane ls -r`` over 1,000 repositories (seconds).
TARGET = 10.0

# Prints the port, then the tree as JSON ({repository: {digest: [tags]}}), and serves
# until its stdin closes.
_SERVE = """
import dataclasses, json, sys
from containerregistry import name, random, remote
from containerregistry.registry import Registry, make_server

count = int(sys.argv[1])
registry = Registry(gcr=True)
server = make_server(registry, address="127.0.0.1:0").start()
host = f"127.0.0.1:{server.port}"
storage = registry.storage
# Blobs are shared by every repository: push each image once, outside the project.
records = []
for seed in range(8):
    image = random.image(256, 1, seed=seed)
    remote.write(name.parse_reference(f"{host}/seed/img:s{seed}"), image)
    records.append(storage.get_manifest("seed/img", f"s{seed}"))
tree = {}
for number in range(count):
    team, service, app = number // 100, number // 25 % 4, number % 25
    repository = f"proj/team-{team:02d}/svc-{service}/app-{app:02d}"
    listing = {}
    if number % 4 == 0:
        old = dataclasses.replace(records[(number + 1) % 8], uploaded_ms=1_600_000_000_000)
        storage.put_manifest(repository, old, [])
        listing[old.digest] = []
    record = dataclasses.replace(records[number % 8], uploaded_ms=1_700_000_000_000 + number)
    tags = ["latest", f"v{number % 7}.{number % 3}", f"build-{number}"][: 1 + number % 3]
    storage.put_manifest(repository, record, tags)
    listing[record.digest] = sorted(tags)
    tree[repository] = listing
print(server.port, flush=True)
print(json.dumps(tree), flush=True)
sys.stdin.read()
server.stop()
"""


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``argv``; its wall seconds, its own peak RSS in MB (from ``wait4``), stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()[-800:]
            raise RuntimeError(f"{' '.join(argv[-4:])} failed ({process.returncode}): {message}")
        out.seek(0)
        return elapsed, usage.ru_maxrss / 1024, out.read().decode()


def _expected_text(host: str, tree: dict[str, dict[str, list[str]]]) -> list[str]:
    """The lines ``gcrane ls -r`` must print for ``tree``: repositories by name, each
    manifest by digest followed by its tags."""
    lines = []
    for repository in sorted(tree):
        for digest, tags in sorted(tree[repository].items()):
            lines.append(f"{host}/{repository}@{digest}")
            lines.extend(f"{host}/{repository}:{tag}" for tag in tags)
    return lines


def _check_text(output: str, expected: list[str]) -> None:
    lines = output.splitlines()
    if lines != expected:
        missing, extra = set(expected) - set(lines), set(lines) - set(expected)
        raise SystemExit(
            f"gcrane ls -r printed {len(lines)} lines, expected {len(expected)}: "
            f"{len(missing)} missing (e.g. {sorted(missing)[:3]}), "
            f"{len(extra)} unexpected (e.g. {sorted(extra)[:3]})"
        )


def _check_json(output: str, tree: dict[str, dict[str, list[str]]]) -> None:
    listed = {}
    for line in output.splitlines():
        document = json.loads(line)
        if document["manifest"]:
            listed[document["name"]] = {
                digest: entry["tag"] for digest, entry in document["manifest"].items()
            }
    if listed != tree:
        missing = sorted(set(tree) - set(listed))
        raise SystemExit(
            f"gcrane ls -r --json listed {len(listed)} repositories with images, "
            f"expected {len(tree)} (missing e.g. {missing[:3]}, or their manifests differ)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median kept)")
    parser.add_argument("--repos", type=int, default=1000, help="repositories in the tree")
    args = parser.parse_args()
    env = python_env()
    with child_server(_SERVE, str(args.repos)) as server:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        tree = json.loads(server.stdout.readline())
        host = f"127.0.0.1:{port}"
        expected = _expected_text(host, tree)
        rows = []
        for label, extra in (("gcrane ls -r", []), ("gcrane ls -r --json", ["--json"])):
            command = [
                sys.executable,
                "-m",
                "containerregistry.gcrane.cli",
                "ls",
                "-r",
                *extra,
                f"{host}/proj",
            ]
            _run(command, env)  # warm-up: writes the bytecode caches
            times, peak = [], 0.0
            for _ in range(args.runs):
                seconds, rss, output = _run(command, env)
                if extra:
                    _check_json(output, tree)
                else:
                    _check_text(output, expected)
                times.append(seconds)
                peak = max(peak, rss)
            median = statistics.median(times)
            rows.append(
                [
                    f"{label} ({len(tree):,} repositories)",
                    f"{median:.2f}",
                    f"{peak:.0f}",
                    f"{TARGET:.0f}",
                    "ok" if median <= TARGET else "MISS",
                ]
            )
        print(markdown_table(rows, ["command", "median s", "peak RSS MB", "target s", ""]))


if __name__ == "__main__":
    main()
