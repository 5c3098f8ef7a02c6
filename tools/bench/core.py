"""Benchmarks of the core distribution (issue 2's targets).

- ``import containerregistry.v1`` adds under 30 ms to interpreter start;
- hashing and size-checking a layer stream runs at >= 90% of raw hashlib speed;
- validating a 1 GB random layer keeps peak RSS under 60 MB.

Run: ``python tools/bench/core.py [--layer-mb 1024]``; prints a markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from _common import markdown_table, measure_python, python_env

HASH_BENCH = r"""
import hashlib, io, os, time, json
from containerregistry.v1 import Hash
from containerregistry.verify import VerifyingReader
size = {size}
data = os.urandom(1 << 20) * (size >> 20)
def raw():
    h = hashlib.sha256(); buf = bytearray(1 << 20); view = memoryview(buf); src = io.BytesIO(data)
    while (n := src.readinto(view)):
        h.update(view[:n])
    return h.hexdigest()
start = time.perf_counter(); hexdigest = raw(); raw_s = time.perf_counter() - start
reader = VerifyingReader(io.BytesIO(data), digest=Hash("sha256", hexdigest), size=size)
buf = bytearray(1 << 20)
start = time.perf_counter()
while reader.readinto(buf):
    pass
verify_s = time.perf_counter() - start
print(json.dumps({{"raw": raw_s, "verify": verify_s}}))
"""

VALIDATE_BENCH = r"""
from containerregistry import random, validate
layer = random.layer({size}, "application/vnd.docker.image.rootfs.diff.tar.gzip")
validate.layer(layer)
"""


def import_overhead(runs: int) -> tuple[float, float]:
    """Median ms of a bare interpreter start and of one that imports containerregistry.v1."""

    def median_ms(code: str) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], env=python_env(), check=True)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples) * 1000

    return median_ms("pass"), median_ms("import containerregistry.v1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hash-mb", type=int, default=512, help="stream size for hashing")
    parser.add_argument("--layer-mb", type=int, default=1024, help="random layer to validate")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    bare, with_v1 = import_overhead(20)
    rows = [
        [
            "import containerregistry.v1",
            f"{with_v1 - bare:.1f} ms over {bare:.1f} ms start",
            "< 30 ms",
        ]
    ]

    import json

    ratios = []
    for _ in range(args.runs):
        done = subprocess.run(
            [sys.executable, "-c", HASH_BENCH.format(size=args.hash_mb << 20)],
            env=python_env(),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(done.stdout)
        ratios.append(result["raw"] / result["verify"])
    mbps = args.hash_mb / result["verify"]
    rows.append(
        [
            "verified hashing vs raw hashlib",
            f"{statistics.median(ratios) * 100:.0f}% ({mbps:.0f} MB/s)",
            ">= 90%",
        ]
    )

    validate = measure_python(
        f"validate {args.layer_mb} MB random layer",
        VALIDATE_BENCH.format(size=args.layer_mb << 20),
        runs=1,
    )
    rows.append(
        [
            validate.name,
            f"{validate.seconds:.1f} s, peak RSS {validate.peak_rss_mb:.0f} MB",
            "RSS < 60 MB",
        ]
    )
    print(markdown_table(rows, ["core workload", "measured", "target"]))


if __name__ == "__main__":
    main()
