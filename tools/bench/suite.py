"""The benchmark suite of issue 9: our crane beside skopeo on loopback, and this
machine's limits, measured in the same run.

Builds the fixtures (see ``fixtures.py``) into the embedded registry
(``crane registry serve --disk``) and registry:2, then runs every workload in its
own child process several times: the median wall time is reported, with the
child's own peak RSS (``ru_maxrss`` from ``wait4``). Prints a markdown table and
writes it to ``docs/benchmarks.md``.

    eval $(tools/services up)    # as root: CR_REGISTRY2=127.0.0.1:PORT
    python tools/bench/suite.py [--runs 3] [--quick-runs 5] [--workdir DIR] [--no-write]
    python tools/bench/suite.py --only append --only 'push a tarball'   # a few rows, not written
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import http.client
import io
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable

import fixtures
from _common import ROOT, markdown_table, python_env
from fixtures import IMAGE, INDEX, MB, TAGS_REPO, crane

#: Makes a workload's argv for one run, given the registry host it writes to.
Argv = Callable[[str], list[str]]


@dataclasses.dataclass
class Workload:
    """One row: our command and skopeo's (if it has one), made fresh for each run."""

    name: str
    ours: Argv
    skopeo: Argv | None = None
    heavy: bool = True
    #: bytes the workload moves, for a throughput figure (0: none shown)
    size: Callable[[], int] = lambda: 0
    #: (limit name in the limits dict, what the throughput is measured on)
    limit: str = ""
    #: the target ratio to skopeo (ours / skopeo at most), or "" when none
    target: str = ""
    cleanup: list[pathlib.Path] = dataclasses.field(default_factory=list)
    #: write to a new, empty Distribution registry each run (else to registry:2)
    fresh: bool = False


@dataclasses.dataclass
class Timing:
    seconds: float
    rss_mb: float


def timed(argv: list[str], workdir: pathlib.Path) -> Timing:
    """Run ``argv`` once; its wall time and its own peak RSS.

    The RSS comes from GNU time: Linux carries the high-water mark of the memory
    a process had before ``exec`` into the new program's ``ru_maxrss``, so a child
    forked straight from this (large) process would report at least our size.
    """
    with (
        tempfile.NamedTemporaryFile(dir=workdir) as rss,
        tempfile.TemporaryFile(dir=workdir) as stderr,
    ):
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-q", "-f", "%M", "-o", rss.name, *argv],
            env=python_env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=workdir,
            check=False,
        )
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace").strip()[-800:]
            raise RuntimeError(f"{' '.join(argv[:6])} failed ({done.returncode}): {message}")
        peak_kb = int(pathlib.Path(rss.name).read_text().split()[-1])
    return Timing(elapsed, peak_kb / 1024)


def median_of(
    work: Workload, argv: Argv, runs: int, workdir: pathlib.Path, registry2: str
) -> Timing:
    timings = []
    for run in range(runs):
        destination = None
        if work.fresh:
            destination = fixtures.FreshDistribution(workdir / f"fresh-{run}")
        try:
            timings.append(timed(argv(destination.host if destination else registry2), workdir))
        finally:
            if destination is not None:
                destination.stop()
        for path in work.cleanup:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    return Timing(statistics.median(t.seconds for t in timings), max(t.rss_mb for t in timings))


# ---------------------------------------------------------------- machine limits


def measure_limits(
    workdir: pathlib.Path, registry2: str, sample_path: pathlib.Path
) -> dict[str, float]:
    """MB/s of sha256, zlib level 1 (one core), our parallel gzip, zlib and isal
    inflate, one blob over loopback from registry:2, and disk writes with fsync."""
    from containerregistry.compression import _inflate, compress

    sample = sample_path.read_bytes()[: 100 * MB]
    limits: dict[str, float] = {}

    def rate(action: Callable[[], object], size: int) -> float:
        start = time.perf_counter()
        action()
        return size / MB / (time.perf_counter() - start)

    limits["sha256"] = rate(lambda: hashlib.sha256(sample).digest(), len(sample))
    deflate = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    compressed = deflate.compress(sample) + deflate.flush()
    limits["gzip1"] = rate(
        lambda: (lambda d: d.compress(sample) + d.flush())(
            zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
        ),
        len(sample),
    )
    limits["gzip1-parallel"] = rate(lambda: compress(io.BytesIO(sample)).read(), len(sample))
    limits["inflate-zlib"] = rate(
        lambda: zlib.decompressobj(-zlib.MAX_WBITS).decompress(compressed), len(sample)
    )
    best = _inflate.best()
    limits[f"inflate-{best.name}"] = rate(
        lambda: best.decompressobj(-zlib.MAX_WBITS).decompress(compressed), len(sample)
    )
    limits["inflate-best"] = limits[f"inflate-{best.name}"]

    # The largest layer of the image, read from registry:2 and thrown away.
    manifest = json.loads(fixtures.run(crane("manifest", f"{registry2}/{IMAGE}")))
    largest = max(manifest["layers"], key=lambda layer: int(layer["size"]))
    conn = http.client.HTTPConnection(registry2)
    buffer = memoryview(bytearray(4 << 20))
    start = time.perf_counter()
    conn.request("GET", f"/v2/{IMAGE.split(':')[0]}/blobs/{largest['digest']}")
    response = conn.getresponse()
    received = 0
    while count := response.readinto(buffer):
        received += count
    limits["loopback"] = received / MB / (time.perf_counter() - start)
    conn.close()

    path = workdir / "fsync-probe"
    block = os.urandom(1 << 20)
    start = time.perf_counter()
    with open(path, "wb") as out:
        for _ in range(512):
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
    limits["disk"] = 512 * (1 << 20) / MB / (time.perf_counter() - start)
    path.unlink()
    return limits


# ---------------------------------------------------------------- workloads


def workloads(
    workdir: pathlib.Path,
    embedded: str,
    registry2: str,
    sizes: dict[str, int],
    archive: pathlib.Path,
    pulled: pathlib.Path,
    append_tar: pathlib.Path,
) -> list[Workload]:
    skopeo_copy = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false"]
    out_dir = workdir / "out"

    def fresh(host: str) -> str:
        return f"{host}/bench-out/{uuid.uuid4().hex[:10]}:v1"

    image2 = f"{registry2}/{IMAGE}"
    index2 = f"{registry2}/{INDEX}"
    layout, tar, export = out_dir / "layout", out_dir / "image.tar", out_dir / "export.tar"
    tls = "--tls-verify=false"
    return [
        Workload(
            "copy, same registry (mount)",
            lambda dest: crane("copy", image2, fresh(dest)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker://{fresh(dest)}"],
        ),
        Workload(
            "copy to another registry (registry:2 -> empty Distribution)",
            lambda dest: crane("copy", image2, fresh(dest)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["compressed"],
            limit="loopback",
            target="0.8",
            fresh=True,
        ),
        Workload(
            "copy a 3-platform index (registry:2 -> empty Distribution)",
            lambda dest: crane("copy", index2, fresh(dest)),
            lambda dest: [*skopeo_copy, "--all", f"docker://{index2}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["index"],
            limit="loopback",
            target="0.55",
            fresh=True,
        ),
        Workload(
            "pull to an OCI layout",
            lambda dest: crane("pull", "--format", "oci", image2, str(layout)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"oci:{layout}:v1"],
            size=lambda: sizes["compressed"],
            limit="disk",
            target="0.55",
            cleanup=[layout],
        ),
        Workload(
            "pull to a tarball",
            lambda dest: crane("pull", image2, str(tar)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker-archive:{tar}:{IMAGE}"],
            size=lambda: sizes["compressed"],
            limit="disk",
            target="0.1",
            cleanup=[tar],
        ),
        Workload(
            "push a tarball (docker-archive, layers uncompressed) to empty Distribution",
            lambda dest: crane("push", str(archive), fresh(dest)),
            lambda dest: [*skopeo_copy, f"docker-archive:{archive}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["uncompressed"],
            limit="gzip1",
            target="0.1",
            fresh=True,
        ),
        Workload(
            "push a tarball crane pulled (layers compressed) to empty Distribution",
            lambda dest: crane("push", str(pulled), fresh(dest)),
            lambda dest: [*skopeo_copy, f"docker-archive:{pulled}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["compressed"],
            limit="loopback",
            target="0.1",
            fresh=True,
        ),
        Workload(
            "append a 200 MB tar (input bytes)",
            lambda dest: crane("append", "-b", image2, "-f", str(append_tar), "-t", fresh(dest)),
            size=lambda: append_tar.stat().st_size,
            limit="gzip1",
        ),
        Workload(
            "export (output bytes)",
            lambda dest: crane("export", image2, str(export)),
            size=lambda: sizes["uncompressed"],
            limit="inflate-zlib",
            cleanup=[export],
        ),
        Workload(
            "digest",
            lambda dest: crane("digest", image2),
            lambda dest: [
                "skopeo",
                "inspect",
                tls,
                "--no-tags",
                "--format",
                "{{.Digest}}",
                f"docker://{image2}",
            ],
            heavy=False,
        ),
        Workload(
            "manifest",
            lambda dest: crane("manifest", image2),
            lambda dest: ["skopeo", "inspect", tls, "--raw", f"docker://{image2}"],
            heavy=False,
        ),
        Workload(
            "ls of 2,000 tags",
            lambda dest: crane("ls", f"{registry2}/{TAGS_REPO}"),
            lambda dest: ["skopeo", "list-tags", tls, f"docker://{registry2}/{TAGS_REPO}"],
            heavy=False,
        ),
        Workload("catalog", lambda dest: crane("catalog", registry2), heavy=False),
        Workload(
            "--help", lambda dest: crane("--help"), lambda dest: ["skopeo", "--help"], heavy=False
        ),
    ]


# ---------------------------------------------------------------- report


def render(
    rows: list[tuple[Workload, Timing, Timing | None]],
    limits: dict[str, float],
    context: str,
) -> str:
    table = []
    for work, ours, theirs in rows:
        ratio = f"{ours.seconds / theirs.seconds:.2f}x" if theirs else "-"
        ok = ""
        if theirs and work.target:
            ok = " ✓" if ours.seconds / theirs.seconds <= float(work.target) else " ✗"
        throughput = "-"
        if work.size():
            mbps = work.size() / MB / ours.seconds
            throughput = f"{mbps:,.0f} MB/s"
            if work.limit:
                throughput += f" ({mbps / limits[work.limit]:.2f}x {work.limit})"
        table.append(
            [
                work.name,
                f"{ours.seconds:.2f}",
                f"{theirs.seconds:.2f}" if theirs else "-",
                ratio + ok,
                f"≤ {work.target}x" if work.target else "-",
                throughput,
                f"{ours.rss_mb:.0f}",
                f"{theirs.rss_mb:.0f}" if theirs else "-",
            ]
        )
    header = [
        "workload",
        "crane s",
        "skopeo s",
        "crane/skopeo",
        "target",
        "crane throughput (vs limit)",
        "crane peak RSS MB",
        "skopeo peak RSS MB",
    ]
    limit_rows = [
        ["sha256 (hashlib, one core)", f"{limits['sha256']:,.0f} MB/s"],
        ["gzip level 1, zlib, one core (`gzip1`)", f"{limits['gzip1']:,.0f} MB/s"],
        [
            "gzip level 1, our parallel blocks (all cores)",
            f"{limits['gzip1-parallel']:,.0f} MB/s "
            f"({limits['gzip1-parallel'] / limits['gzip1']:.2f}x gzip1)",
        ],
        ["inflate, zlib (`inflate-zlib`)", f"{limits['inflate-zlib']:,.0f} MB/s"],
    ]
    for name in ("isal", "zlib-ng"):
        if f"inflate-{name}" in limits:
            limit_rows.append(
                [
                    f"inflate, {name} (what decompress uses)",
                    f"{limits[f'inflate-{name}']:,.0f} MB/s "
                    f"({limits[f'inflate-{name}'] / limits['inflate-zlib']:.2f}x zlib)",
                ]
            )
    limit_rows += [
        [
            "one large blob over loopback from registry:2 (`loopback`)",
            f"{limits['loopback']:,.0f} MB/s",
        ],
        ["disk write, 512 MiB + fsync (`disk`)", f"{limits['disk']:,.0f} MB/s"],
    ]
    return (
        "\n\n".join(
            [
                "# Benchmarks",
                "Generated by `python tools/bench/suite.py` (`nox -s bench`); do not edit by hand.",
                context,
                "## Workloads (median wall seconds; peak RSS is the worst run's)",
                markdown_table(table, header),
                "## This machine's limits, measured in the same run",
                markdown_table(limit_rows, ["limit", "measured"]),
            ]
        )
        + "\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each heavy workload")
    parser.add_argument("--quick-runs", type=int, default=5, help="runs of each quick one")
    parser.add_argument(
        "--workdir",
        type=pathlib.Path,
        default=pathlib.Path(tempfile.gettempdir()) / "containerregistry-bench",
        help="fixtures and outputs; kept between runs so fixtures are built once",
    )
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="run only the workloads whose name contains TEXT (repeatable); "
        "the partial table is printed, not written",
    )
    args = parser.parse_args()
    registry2 = os.environ.get("CR_REGISTRY2")
    if not registry2:
        print("set CR_REGISTRY2 (as root: eval $(tools/services up))", file=sys.stderr)
        return 2
    if shutil.which("skopeo") is None:
        print("skopeo is not installed (Debian: skopeo)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "out").mkdir(exist_ok=True)
    sys.path[:0] = python_env()["PYTHONPATH"].split(os.pathsep)

    print("building fixtures ...", file=sys.stderr, flush=True)
    tars = fixtures.build_tars(workdir)
    embedded = fixtures.EmbeddedRegistry(workdir / "registry")
    try:
        fixtures.seed(embedded.host, tars)
        fixtures.seed(registry2, tars, source=embedded.host)
        archive = workdir / "docker-archive.tar"
        if not archive.exists():
            fixtures.run(
                [
                    "skopeo",
                    "copy",
                    "--quiet",
                    "--src-tls-verify=false",
                    f"docker://{registry2}/{IMAGE}",
                    f"docker-archive:{archive}:{IMAGE}",
                ]
            )
        pulled = workdir / "crane-pulled.tar"
        if not pulled.exists():
            fixtures.run(crane("pull", f"{registry2}/{IMAGE}", str(pulled)))
        sizes = {
            "compressed": fixtures.compressed_size(registry2),
            "uncompressed": sum(p.stat().st_size for p in tars["image"]),
            "index": sum(
                fixtures.compressed_size(embedded.host, f"bench/child:{arch}")
                for arch in fixtures.ARCHITECTURES
            ),
        }
        print(
            f"fixtures ready ({time.perf_counter() - started:.0f} s); limits ...",
            file=sys.stderr,
            flush=True,
        )
        limits = measure_limits(workdir, registry2, tars["append"][0])
        rows = []
        selected = [
            work
            for work in workloads(
                workdir, embedded.host, registry2, sizes, archive, pulled, tars["append"][0]
            )
            if not args.only or any(text in work.name for text in args.only)
        ]
        if not selected:
            print(f"no workload name contains any of {args.only}", file=sys.stderr)
            return 2
        for work in selected:
            runs = args.runs if work.heavy else args.quick_runs
            ours = median_of(work, work.ours, runs, workdir, registry2)
            theirs = median_of(work, work.skopeo, runs, workdir, registry2) if work.skopeo else None
            rows.append((work, ours, theirs))
            print(
                f"{work.name}: {ours.seconds:.2f} s"
                + (f" vs skopeo {theirs.seconds:.2f} s" if theirs else ""),
                file=sys.stderr,
                flush=True,
            )
    finally:
        embedded.stop()
    load = os.getloadavg()
    skopeo_version = subprocess.run(["skopeo", "--version"], capture_output=True, text=True)
    context = (
        f"Run {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, "
        f"{skopeo_version.stdout.strip()}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(other work shares these cores: figures are noisy). "
        f"Image: 6 layers, {sizes['uncompressed'] / MB:,.0f} MB uncompressed, "
        f"{sizes['compressed'] / MB:,.0f} MB compressed; index: 3 platforms x 2 layers, "
        f"{sizes['index'] / MB:,.0f} MB compressed. Heavy workloads {args.runs} runs, "
        f"quick ones {args.quick_runs}; suite took {(time.perf_counter() - started) / 60:.1f} min."
    )
    report = render(rows, limits, context)
    print(report)
    if not args.no_write and not args.only:
        args.output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
