"""Run every benchmark script in this folder and print their markdown tables.

``python tools/bench/run.py [--go-crane PATH] [NAME ...]`` runs the named scripts only
(e.g. ``core``); ``--go-crane`` names the Go crane binary the suite compares with
(passed on as ``CR_GO_CRANE``; by default the suite looks beside the repository).
Scripts are the modules here that do not start with ``_`` or ``run``, except the
helper modules in ``HELPERS``. A run that includes ``suite`` (all of them, or
named) also appends the other scripts' tables of that run to ``docs/benchmarks.md``,
which ``suite`` writes, and repeats there the latest ``docs/registry-load.md`` (the
``registry_load`` script has its own session, ``nox -s registry-load``).
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

from _common import BENCHMARKS, refresh_registry_load_section

HERE = pathlib.Path(__file__).resolve().parent
TABLE = BENCHMARKS
#: The script that writes TABLE; the others' output is appended to it.
SUITE = "suite"
#: Modules here that other scripts import and that are no benchmark of their own.
HELPERS = {"fixtures"}
#: Scripts with a nox session of their own (minutes long), run here only when named;
#: their latest report is repeated in TABLE all the same.
OWN_SESSION = {"registry_load"}


def _markdown(output: str) -> str:
    """A script's output as markdown: its tables as they are, other lines as a text block."""
    lines = output.strip("\n").splitlines()
    if all(line.startswith("|") for line in lines):
        return "\n".join(lines)
    return "```text\n" + "\n".join(lines) + "\n```"


def main() -> int:
    argv = sys.argv[1:]
    env = dict(os.environ)
    if "--go-crane" in argv:
        at = argv.index("--go-crane")
        if at + 1 >= len(argv):
            print("--go-crane needs a path: --go-crane PATH", file=sys.stderr)
            return 2
        env["CR_GO_CRANE"] = str(pathlib.Path(argv[at + 1]).resolve())
        del argv[at : at + 2]
    wanted = set(argv)
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if not p.name.startswith(("_", "run")) and p.stem not in {"__init__", *HELPERS}
    )
    failures = 0
    others: list[str] = []
    for script in scripts:
        if (wanted and script.stem not in wanted) or (not wanted and script.stem in OWN_SESSION):
            continue
        print(f"\n## {script.stem}\n", flush=True)
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=HERE,
            check=False,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        print(done.stdout, end="", flush=True)
        if done.returncode != 0:
            failures += 1
            print(f"\n{script.stem} failed with exit code {done.returncode}", flush=True)
        elif script.stem not in {SUITE, *OWN_SESSION}:
            others.append(f"### {script.stem}\n\n{_markdown(done.stdout)}\n")
    if (not wanted or SUITE in wanted) and not failures and TABLE.exists():
        text = TABLE.read_text().rstrip("\n")
        TABLE.write_text(f"{text}\n\n## The other scripts, same run\n\n" + "\n".join(others))
        refresh_registry_load_section()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
