"""kcrane start-up: ``kcrane --help`` beside ``crane --help``, against the 150 ms target.

Each run is a fresh interpreter (``python -m containerregistry.kcrane.cli --help``)
with cached bytecode (PYTHONDONTWRITEBYTECODE unset, one warm-up run first); the
median of ``--runs`` (default 10) wall times is reported. crane's figure is the floor
kcrane builds on (kcrane adds four flags and a keychain that loads nothing until a
command authenticates). Usage:

    python tools/bench/kcrane_start.py [--runs 10]
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _common import markdown_table, python_env, run_child

#: The issue's target for ``kcrane --help`` (seconds).
TARGET = 0.150

_TOOLS = {"kcrane": "containerregistry.kcrane.cli", "crane": "containerregistry.crane.cli"}


def _median_help(module: str, runs: int) -> float:
    command = [sys.executable, "-m", module, "--help"]
    env = python_env()
    run_child(command, env=env)  # warm-up: writes the bytecode caches
    return statistics.median(run_child(command, env=env)[0] for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per command (median kept)")
    args = parser.parse_args()
    rows = []
    for tool, module in _TOOLS.items():
        seconds = _median_help(module, args.runs)
        verdict = "ok" if seconds <= TARGET else "MISS"
        rows.append([f"{tool} --help", f"{seconds * 1000:.0f}", f"{TARGET * 1000:.0f}", verdict])
    print(markdown_table(rows, ["command", "median ms", "target ms", ""]))


if __name__ == "__main__":
    main()
