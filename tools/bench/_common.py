"""Shared helpers for the benchmark scripts: timing, peak memory, markdown output.

Benchmarks run workloads in child processes so that each one's peak RSS
(``ru_maxrss`` of the child) is its own, and report the median of several runs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_PATH = os.pathsep.join(str(p / "src") for p in sorted((ROOT / "packages").iterdir()))


@dataclasses.dataclass
class Measurement:
    """One workload's result: median wall seconds over ``runs`` and the worst peak RSS."""

    name: str
    seconds: float
    peak_rss_mb: float
    runs: int
    note: str = ""


def installed() -> bool:
    """Whether this interpreter imports crane from an installation, not from the sources.

    ``nox -s bench`` installs wheels built from the working tree (as users get them);
    run by hand from another interpreter, the children import the sources instead.
    """
    import importlib.util

    found = importlib.util.find_spec("containerregistry.crane")
    origin = found.origin if found is not None else None
    return origin is not None and not pathlib.Path(origin).is_relative_to(ROOT / "packages")


def import_sources() -> None:
    """Make this interpreter import the repository's sources, unless it has them installed."""
    if not installed():
        sys.path[:0] = SOURCE_PATH.split(os.pathsep)


def python_env() -> dict[str, str]:
    """Environment for child Pythons: the installed distributions, else the repository's
    sources on PYTHONPATH."""
    env = dict(os.environ)
    # Start-up figures need cached bytecode, as users have it; some machines turn it off.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not installed():
        env["PYTHONPATH"] = SOURCE_PATH + (
            os.pathsep + env["PYTHONPATH"] if "PYTHONPATH" in env else ""
        )
    return env


def run_child(
    argv: Sequence[str], *, env: dict[str, str] | None = None
) -> tuple[float, float, str]:
    """Run ``argv``; return (wall seconds, peak RSS of the child in MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far, so measure each
    # workload in its own wrapper process (see measure_python) when it matters.
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return elapsed, peak, done.stdout


def measure_python(name: str, code: str, *, runs: int = 3, note: str = "") -> Measurement:
    """Time ``code`` run by a fresh interpreter ``runs`` times; peak RSS from a wrapper."""
    wrapper = (
        "import resource,subprocess,sys,time,json;"
        "s=time.perf_counter();"
        "r=subprocess.run([sys.executable,'-c',sys.argv[1]],capture_output=True,text=True);"
        "e=time.perf_counter()-s;"
        "sys.stderr.write(r.stderr);"
        "print(json.dumps({'rc':r.returncode,'s':e,"
        "'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,'out':r.stdout}))"
    )
    times: list[float] = []
    peak = 0.0
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", wrapper, code], env=python_env(), capture_output=True, text=True
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if result["rc"] != 0:
            raise RuntimeError(f"{name} failed: {done.stderr.strip()[-800:]}")
        times.append(result["s"])
        peak = max(peak, result["rss"] / 1024)
    return Measurement(name, statistics.median(times), peak, runs, note)


def markdown_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Render a GitHub markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


@contextlib.contextmanager
def child_server(code: str, *args: str) -> Iterator[subprocess.Popen[str]]:
    """Run ``python -c code args...`` (a server) for the block; the caller reads its stdout.

    The script prints what the caller needs (a port, say) and serves until its
    standard input closes, which happens when the block ends.
    """
    server = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env=python_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield server
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


#: The benchmark table the suite writes, and the registry load report beside it.
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
REGISTRY_LOAD = ROOT / "docs" / "registry-load.md"
#: The heading under which the benchmark table repeats the load report's tables.
_LOAD_HEADING = "## The registry under load"


def with_registry_load(table: str, report: str) -> str:
    """``table`` (docs/benchmarks.md) with its registry-load section replaced by the
    tables of ``report`` (docs/registry-load.md, the latest ``nox -s registry-load``).

    The load run takes minutes of its own, so the suite does not repeat it: each
    generator refreshes this one section from the other's latest output.
    """
    kept = table.split(f"\n{_LOAD_HEADING}", 1)[0].rstrip("\n")
    lines = report.splitlines()
    first = next((i for i, line in enumerate(lines) if line.startswith("## ")), len(lines))
    end = next((i for i, line in enumerate(lines) if line.startswith("## Reproduce")), len(lines))
    intro = next((line for line in lines[1:first] if line.strip()), "")
    body = "\n".join(lines[first:end]).replace("\n## ", "\n### ").removeprefix("## ")
    return (
        f"{kept}\n\n{_LOAD_HEADING}\n\nFrom the latest `nox -s registry-load` "
        f"([registry-load.md](registry-load.md)): {intro}\n\n### {body.rstrip()}\n"
    )


def refresh_registry_load_section() -> None:
    """Rewrite the registry-load section of docs/benchmarks.md, when both files exist."""
    if BENCHMARKS.exists() and REGISTRY_LOAD.exists():
        BENCHMARKS.write_text(with_registry_load(BENCHMARKS.read_text(), REGISTRY_LOAD.read_text()))
