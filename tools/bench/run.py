"""Run every benchmark script in this folder and print their markdown tables.

``python tools/bench/run.py [NAME ...]`` runs the named scripts only (e.g. ``core``).
Scripts are the modules here that do not start with ``_`` or ``run``, except the
helper modules in ``HELPERS``.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
#: Modules here that other scripts import and that are no benchmark of their own.
HELPERS = {"fixtures"}


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(
        p
        for p in HERE.glob("*.py")
        if not p.name.startswith(("_", "run")) and p.stem not in {"__init__", *HELPERS}
    )
    failures = 0
    for script in scripts:
        if wanted and script.stem not in wanted:
            continue
        print(f"\n## {script.stem}\n", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE, check=False)
        if done.returncode != 0:
            failures += 1
            print(f"\n{script.stem} failed with exit code {done.returncode}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
