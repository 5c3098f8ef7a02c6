"""CLI start-up against the issues' targets: ``crane --help``, ``crane version`` and
``crane digest`` of a loopback tag (120, 120, 200 ms); ``gcrane --help`` and
``kcrane --help`` (150 ms each); and issue 4's library figure, a fresh Python
process that resolves a loopback tag with ``remote.head`` (250 ms).

Each is a fresh interpreter (``python -m containerregistry.<tool>.cli ...``) with cached
bytecode (PYTHONDONTWRITEBYTECODE unset, one warm-up run first); the median of
``--runs`` (default 10) wall times is reported beside the target. ``digest`` runs
against an embedded registry on loopback holding one small image. Usage:

    python tools/bench/cli_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

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

_TARGETS = {
    "crane --help": 0.120,
    "crane version": 0.120,
    "crane digest": 0.200,
    "gcrane --help": 0.150,
    "kcrane --help": 0.150,
    "python: remote.head": 0.250,
}

#: What a script that wants one digest runs (``python -c``), given the reference.
_HEAD = (
    "from containerregistry import name, remote; "
    "print(remote.head(name.parse_reference({ref!r})).digest)"
)


def _median(tool: str, argv: list[str], runs: int) -> float:
    """Median wall time of ``tool`` (a CLI, or ``python`` itself) run with ``argv``."""
    command = [sys.executable, *argv]
    if tool != "python":
        command = [sys.executable, "-m", f"containerregistry.{tool}.cli", *argv]
    env = python_env()
    run_child(command, env=env)  # warm-up: writes the bytecode caches
    return statistics.median(run_child(command, env=env)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (median kept)")
    args = parser.parse_args()
    with child_server(_SERVE) as server:
        assert server.stdout is not None
        port = server.stdout.readline().strip()
        rows = []
        head = _HEAD.format(ref=f"127.0.0.1:{port}/bench/img:v1")
        for label, tool, argv in (
            ("crane --help", "crane", ["--help"]),
            ("crane version", "crane", ["version"]),
            ("crane digest", "crane", ["digest", f"127.0.0.1:{port}/bench/img:v1"]),
            ("gcrane --help", "gcrane", ["--help"]),
            ("kcrane --help", "kcrane", ["--help"]),
            ("python: remote.head", "python", ["-c", head]),
        ):
            seconds = _median(tool, argv, args.runs)
            target = _TARGETS[label]
            verdict = "ok" if seconds <= target else "MISS"
            rows.append([label, f"{seconds * 1000:.0f}", f"{target * 1000:.0f}", verdict])
        print(markdown_table(rows, ["command", "median ms", "target ms", ""]))


if __name__ == "__main__":
    main()
