"""CLI start-up against the issues' targets: ``crane --help`` (30 ms, issue 17),
``crane version`` (120 ms), ``gcrane --help`` and ``kcrane --help`` (150 ms each);
``crane digest`` of a loopback tag and issue 4's library figure, a fresh Python
process that resolves it with ``remote.head``, as multiples of the floor that
requests sets (``python -c "import requests; requests.head(URL)"``, same
interpreter, same URL): ``crane digest`` at most 1.4x (issue 17). And a registry
that is not there (issue 23, "fail fast where waiting cannot help"): ``crane
digest``, ``ls``, ``copy``, ``push`` and ``catalog`` against a loopback port nothing
listens on fail, with one line, in under 1 s each (Go's crane: 20 ms; ours spent
the retry budget, 7-21 s, before).

Each is a fresh interpreter running the installed console script (``crane``,
``gcrane``, ``kcrane``, as users run them; ``python -m containerregistry.<tool>.cli``
where there is none) with cached bytecode (PYTHONDONTWRITEBYTECODE unset, one
warm-up run first); the median of ``--runs`` (default 10) wall times is reported
beside the target. The floor runs right after each run of the two that are
compared with it, and their ratio is the median of those pairs. ``digest`` runs
against an embedded registry on loopback holding one small image. Usage:

    python tools/bench/cli_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _common import child_server, markdown_table, python_env, run_child

_SERVE = """
import sys
from containerregistry import name, random, remote
from containerregistry.registry import Registry, make_server
server = make_server(Registry(), address="127.0.0.1:0").start()
remote.write(name.parse_reference(f"127.0.0.1:{server.port}/bench/img:v1"), random.image(1024, 1))
print(server.port, flush=True)
sys.stdin.read()
server.stop()
"""

#: Wall-time targets in seconds.
_TARGETS = {
    "crane --help": 0.030,
    "crane version": 0.120,
    "gcrane --help": 0.150,
    "kcrane --help": 0.150,
}
#: Wall-time target of each command against a port nothing listens on.
_CLOSED_PORT_TARGET = 1.0
#: Targets as multiples of the requests floor (None: shown, not held to one).
_FLOOR_TARGETS: dict[str, float | None] = {"crane digest": 1.4, "python: remote.head": None}

#: What a script that wants one digest runs (``python -c``), given the reference.
_HEAD = (
    "from containerregistry import name, remote; "
    "print(remote.head(name.parse_reference({ref!r})).digest)"
)


def _command(tool: str, argv: list[str]) -> list[str]:
    """argv of ``tool`` (a CLI, or ``python`` itself) run with ``argv``."""
    if tool == "python":
        return [sys.executable, *argv]
    script = pathlib.Path(sys.executable).with_name(tool)
    if script.is_file():
        return [sys.executable, str(script), *argv]
    return [sys.executable, "-m", f"containerregistry.{tool}.cli", *argv]


def _median(command: list[str], runs: int) -> float:
    """Median wall time of ``command`` over ``runs`` runs, after one warm-up."""
    env = python_env()
    run_child(command, env=env)  # warm-up: writes the bytecode caches
    return statistics.median(run_child(command, env=env)[0] for _ in range(runs))


def _median_failure(command: list[str], runs: int) -> float:
    """Median wall time of ``command``, which must fail with one ``Error:`` line, last."""
    env = python_env()
    times = []
    for run in range(runs + 1):  # the first is the warm-up
        start = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        lines = done.stderr.strip().splitlines()
        errors = [line for line in lines if line.startswith("Error:")]
        if done.returncode == 0 or errors != lines[-1:]:
            raise RuntimeError(f"{command} should fail with one line: {done.stderr.strip()}")
        if run:
            times.append(elapsed)
    return statistics.median(times)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _over_floor(command: list[str], floor: list[str], runs: int) -> tuple[float, float, float]:
    """(median seconds, median floor seconds, median of the per-pair ratios)."""
    env = python_env()
    run_child(command, env=env)
    run_child(floor, env=env)
    pairs = []
    for _ in range(runs):
        ours = run_child(command, env=env)[0]
        pairs.append((ours, run_child(floor, env=env)[0]))
    return (
        statistics.median(a for a, _ in pairs),
        statistics.median(b for _, b in pairs),
        statistics.median(a / b for a, b in pairs),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (median kept)")
    args = parser.parse_args()
    with child_server(_SERVE) as server:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        rows = []
        ref = f"127.0.0.1:{port}/bench/img:v1"
        head = _HEAD.format(ref=ref)
        floor = [
            sys.executable,
            "-c",
            f"import requests; requests.head('http://127.0.0.1:{port}/v2/bench/img/manifests/v1')",
        ]
        for label, tool, argv in (
            ("crane --help", "crane", ["--help"]),
            ("crane version", "crane", ["version"]),
            ("gcrane --help", "gcrane", ["--help"]),
            ("kcrane --help", "kcrane", ["--help"]),
        ):
            seconds = _median(_command(tool, argv), args.runs)
            target = _TARGETS[label]
            verdict = "ok" if seconds <= target else "MISS"
            rows.append([label, f"{seconds * 1000:.0f}", f"{target * 1000:.0f} ms", verdict])
        for label, tool, argv in (
            ("crane digest", "crane", ["digest", ref]),
            ("python: remote.head", "python", ["-c", head]),
        ):
            seconds, floor_seconds, ratio = _over_floor(_command(tool, argv), floor, args.runs)
            wanted = _FLOOR_TARGETS[label]
            verdict = "-" if wanted is None else ("ok" if ratio <= wanted else "MISS")
            rows.append(
                [
                    f"{label} ({ratio:.2f}x the floor, {floor_seconds * 1000:.0f} ms)",
                    f"{seconds * 1000:.0f}",
                    f"{wanted}x the floor" if wanted else "-",
                    verdict,
                ]
            )
        with tempfile.TemporaryDirectory() as scratch:
            tarball = str(pathlib.Path(scratch) / "img.tar")
            run_child(_command("crane", ["pull", ref, tarball]), env=python_env())
            nowhere = f"127.0.0.1:{_closed_port()}"
            for command, argv in (
                ("digest", [f"{nowhere}/bench/img:v1"]),
                ("ls", [f"{nowhere}/bench/img"]),
                ("copy", [f"{nowhere}/bench/img:v1", f"{nowhere}/bench/copy:v1"]),
                ("push", [tarball, f"{nowhere}/bench/img:v1"]),
                ("catalog", [nowhere]),
            ):
                seconds = _median_failure(_command("crane", [command, *argv]), args.runs)
                verdict = "ok" if seconds <= _CLOSED_PORT_TARGET else "MISS"
                rows.append(
                    [
                        f"crane {command}, nothing listening",
                        f"{seconds * 1000:.0f}",
                        f"{_CLOSED_PORT_TARGET * 1000:.0f} ms",
                        verdict,
                    ]
                )
        print(markdown_table(rows, ["command", "median ms", "target", ""]))


if __name__ == "__main__":
    main()
