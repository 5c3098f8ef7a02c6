"""The benchmark suite of issues 9 and 17: our crane beside Go crane and skopeo on
loopback, the start-up floor of requests, and this machine's limits, in the same run.

Builds the fixtures (see ``fixtures.py``) into the embedded registry
(``crane registry serve --disk``) and registry:2, then runs every workload in its
own child process, in rounds: one round runs ours, then Go crane, then skopeo
(then, for ``digest``, the floor), so that the machine's drift hits every side
alike. Each comparison is the median of the per-round ratios; the seconds shown
are each side's median, the peak RSS the worst run's (``ru_maxrss`` from GNU time).
Prints a markdown table and writes it to ``docs/benchmarks.md``.

Go crane is any binary given with ``--go-crane PATH`` (default: ``$CR_GO_CRANE``,
else ``../shared/anchors/crane`` beside the repository when present); without
one, its columns read ``-``. The floor is ``python -c "import requests;
requests.head(URL)"`` with this interpreter, against the manifest URL of the
image ``crane digest`` resolves.

    eval $(tools/services up)    # as root: CR_REGISTRY2=127.0.0.1:PORT
    python tools/bench/suite.py [--runs 5] [--quick-runs 11] [--warmup 1] [--go-crane PATH]
                                [--workdir DIR] [--no-write]
    python tools/bench/suite.py --only append --only digest   # a few rows, not written
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
from _common import ROOT, import_sources, installed, markdown_table, python_env
from fixtures import IMAGE, INDEX, MB, TAGS_REPO, crane

#: Makes a workload's argv for one run, given the registry host it writes to.
Argv = Callable[[str], list[str]]

#: The sides of a round, in the order they run; "ours" first.
SIDES = ("ours", "go", "skopeo", "floor")
#: Where issue 17 puts the reference Go crane, relative to the repository.
GO_CRANE_ANCHOR = ROOT.parent / "shared" / "anchors" / "crane"


@dataclasses.dataclass
class Workload:
    """One row: our command, Go crane's and skopeo's (when they have one), made fresh
    for each run, and what the row is held to."""

    name: str
    ours: Argv
    go: Argv | None = None
    skopeo: Argv | None = None
    #: the start-up floor (``digest`` only): requests alone, same interpreter and URL
    floor: Argv | None = None
    heavy: bool = True
    #: bytes the workload moves, for a throughput figure (0: none shown)
    size: Callable[[], int] = lambda: 0
    #: (limit name in the limits dict, what the throughput is measured on)
    limit: str = ""
    #: the target ratio to Go crane (ours / Go at most), or "" when none
    go_target: str = ""
    #: the target ratio to skopeo (ours / skopeo at most), or "" when none
    skopeo_target: str = ""
    #: the target ratio to the floor (ours / floor at most), or "" when none
    floor_target: str = ""
    #: the target wall time in milliseconds (ours), or 0 when none
    ms_target: float = 0
    cleanup: list[pathlib.Path] = dataclasses.field(default_factory=list)
    #: write to a new, empty Distribution registry each run (else to registry:2)
    fresh: bool = False

    def argv(self, side: str) -> Argv | None:
        """The command of ``side`` (one of SIDES), or None when it has none."""
        return {"ours": self.ours, "go": self.go, "skopeo": self.skopeo, "floor": self.floor}[side]


@dataclasses.dataclass
class Timing:
    seconds: float
    rss_mb: float


@dataclasses.dataclass
class Result:
    """A workload's figures: each side's median run, and ours / side per round."""

    timings: dict[str, Timing]
    #: the median over rounds of (our seconds / that side's seconds), by side
    ratios: dict[str, float]


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


def _clean(work: Workload) -> None:
    for path in work.cleanup:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _once(work: Workload, argv: Argv, workdir: pathlib.Path, registry2: str) -> Timing:
    """One run of one side: a fresh destination registry first when the row asks."""
    destination = fixtures.FreshDistribution(workdir / "fresh") if work.fresh else None
    try:
        return timed(argv(destination.host if destination else registry2), workdir)
    finally:
        if destination is not None:
            destination.stop()
        _clean(work)


def paired(work: Workload, runs: int, warmup: int, workdir: pathlib.Path, registry2: str) -> Result:
    """Run the row's sides in rounds (ours, Go, skopeo, floor; ``warmup`` rounds first,
    not counted) and return each side's median and the median of ours / side."""
    sides = [side for side in SIDES if work.argv(side) is not None]
    counted: dict[str, list[Timing]] = {side: [] for side in sides}
    for round_number in range(warmup + runs):
        for side in sides:
            argv = work.argv(side)
            assert argv is not None
            timing = _once(work, argv, workdir, registry2)
            if round_number >= warmup:
                counted[side].append(timing)
    timings = {
        side: Timing(statistics.median(t.seconds for t in found), max(t.rss_mb for t in found))
        for side, found in counted.items()
    }
    ratios = {
        side: statistics.median(
            ours.seconds / theirs.seconds
            for ours, theirs in zip(counted["ours"], counted[side], strict=True)
        )
        for side in sides
        if side != "ours"
    }
    return Result(timings, ratios)


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
    registry2: str,
    sizes: dict[str, int],
    archive: pathlib.Path,
    pulled: pathlib.Path,
    append_tar: pathlib.Path,
    go_crane: pathlib.Path | None,
) -> list[Workload]:
    skopeo_copy = ["skopeo", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false"]
    out_dir = workdir / "out"

    def fresh(host: str) -> str:
        return f"{host}/bench-out/{uuid.uuid4().hex[:10]}:v1"

    def go(*args: str | Callable[[str], str]) -> Argv | None:
        """Go crane's argv (None without one); a callable argument is given the host."""
        if go_crane is None:
            return None
        binary = str(go_crane)
        return lambda dest: [binary, *(a(dest) if callable(a) else a for a in args)]

    image2 = f"{registry2}/{IMAGE}"
    index2 = f"{registry2}/{INDEX}"
    layout, tar, export = out_dir / "layout", out_dir / "image.tar", out_dir / "export.tar"
    tls = "--tls-verify=false"
    repository, _, tag = IMAGE.partition(":")
    floor_code = (
        f"import requests; requests.head({f'http://{registry2}/v2/{repository}/manifests/{tag}'!r})"
    )
    return [
        Workload(
            "copy, same registry (mount)",
            lambda dest: crane("copy", image2, fresh(dest)),
            go("copy", image2, fresh),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker://{fresh(dest)}"],
        ),
        Workload(
            "copy the 6-layer image to another registry (registry:2 -> empty Distribution)",
            lambda dest: crane("copy", image2, fresh(dest)),
            go("copy", image2, fresh),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["compressed"],
            limit="loopback",
            go_target="1.0",
            skopeo_target="0.8",
            fresh=True,
        ),
        Workload(
            "copy a 3-platform index (registry:2 -> empty Distribution)",
            lambda dest: crane("copy", index2, fresh(dest)),
            go("copy", index2, fresh),
            lambda dest: [*skopeo_copy, "--all", f"docker://{index2}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["index"],
            limit="loopback",
            skopeo_target="0.55",
            fresh=True,
        ),
        Workload(
            "pull to an OCI layout",
            lambda dest: crane("pull", "--format", "oci", image2, str(layout)),
            go("pull", "--format", "oci", image2, str(layout)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"oci:{layout}:v1"],
            size=lambda: sizes["compressed"],
            limit="disk",
            go_target="1.25",
            skopeo_target="0.55",
            cleanup=[layout],
        ),
        Workload(
            "pull to a docker tarball",
            lambda dest: crane("pull", image2, str(tar)),
            go("pull", image2, str(tar)),
            lambda dest: [*skopeo_copy, f"docker://{image2}", f"docker-archive:{tar}:{IMAGE}"],
            size=lambda: sizes["compressed"],
            limit="disk",
            go_target="1.1",
            skopeo_target="0.1",
            cleanup=[tar],
        ),
        Workload(
            "push a tarball (docker-archive, layers uncompressed) to empty Distribution",
            lambda dest: crane("push", str(archive), fresh(dest)),
            go("push", str(archive), fresh),
            lambda dest: [*skopeo_copy, f"docker-archive:{archive}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["uncompressed"],
            limit="gzip1",
            skopeo_target="0.1",
            fresh=True,
        ),
        Workload(
            "push a tarball crane pulled (layers compressed) to empty Distribution",
            lambda dest: crane("push", str(pulled), fresh(dest)),
            go("push", str(pulled), fresh),
            lambda dest: [*skopeo_copy, f"docker-archive:{pulled}", f"docker://{fresh(dest)}"],
            size=lambda: sizes["compressed"],
            limit="loopback",
            skopeo_target="0.1",
            fresh=True,
        ),
        Workload(
            "append a 200 MB tar (input bytes)",
            lambda dest: crane("append", "-b", image2, "-f", str(append_tar), "-t", fresh(dest)),
            go("append", "-b", image2, "-f", str(append_tar), "-t", fresh),
            size=lambda: append_tar.stat().st_size,
            limit="gzip1",
            go_target="0.4",
        ),
        Workload(
            "export, flatten (output bytes)",
            lambda dest: crane("export", image2, str(export)),
            go("export", image2, str(export)),
            size=lambda: sizes["uncompressed"],
            limit="inflate-zlib",
            go_target="0.45",
            cleanup=[export],
        ),
        Workload(
            "digest",
            lambda dest: crane("digest", image2),
            go("digest", image2),
            lambda dest: [
                "skopeo",
                "inspect",
                tls,
                "--no-tags",
                "--format",
                "{{.Digest}}",
                f"docker://{image2}",
            ],
            floor=lambda dest: [sys.executable, "-c", floor_code],
            heavy=False,
            floor_target="1.4",
        ),
        Workload(
            "manifest",
            lambda dest: crane("manifest", image2),
            go("manifest", image2),
            lambda dest: ["skopeo", "inspect", tls, "--raw", f"docker://{image2}"],
            heavy=False,
        ),
        Workload(
            "ls of 2,000 tags",
            lambda dest: crane("ls", f"{registry2}/{TAGS_REPO}"),
            go("ls", f"{registry2}/{TAGS_REPO}"),
            lambda dest: ["skopeo", "list-tags", tls, f"docker://{registry2}/{TAGS_REPO}"],
            heavy=False,
        ),
        Workload(
            "catalog",
            lambda dest: crane("catalog", registry2),
            go("catalog", registry2),
            heavy=False,
        ),
        Workload(
            "--help",
            lambda dest: crane("--help"),
            go("--help"),
            lambda dest: ["skopeo", "--help"],
            heavy=False,
            ms_target=30,
        ),
    ]


# ---------------------------------------------------------------- report


#: Issue 17: every workload's peak RSS stays at or under this many MiB.
RSS_TARGET_MB = 100


def _verdict(met: bool) -> str:
    return " ✓" if met else " ✗"


def _targets(work: Workload, result: Result) -> str:
    """The row's targets, each with ✓ or ✗."""
    found = []
    for side, target in (
        ("go", work.go_target),
        ("skopeo", work.skopeo_target),
        ("floor", work.floor_target),
    ):
        if target and side in result.ratios:
            label = {"go": "Go", "skopeo": "skopeo", "floor": "the floor"}[side]
            met = result.ratios[side] <= float(target)
            found.append(f"≤ {target}x {label}{_verdict(met)}")
    if work.ms_target:
        met = result.timings["ours"].seconds * 1000 <= work.ms_target
        found.append(f"≤ {work.ms_target:.0f} ms{_verdict(met)}")
    peak = result.timings["ours"].rss_mb
    if peak > RSS_TARGET_MB:
        found.append(f"RSS ≤ {RSS_TARGET_MB} MiB ✗")
    return "; ".join(found) or "-"


def render(
    rows: list[tuple[Workload, Result]],
    limits: dict[str, float],
    context: str,
) -> str:
    def seconds(result: Result, side: str) -> str:
        timing = result.timings.get(side)
        return f"{timing.seconds:.3f}" if timing else "-"

    def ratio(result: Result, side: str) -> str:
        return f"{result.ratios[side]:.2f}x" if side in result.ratios else "-"

    def rss(result: Result, side: str) -> str:
        timing = result.timings.get(side)
        return f"{timing.rss_mb:.0f}" if timing else "-"

    table = []
    floors = []
    for work, result in rows:
        throughput = "-"
        if work.size():
            mbps = work.size() / MB / result.timings["ours"].seconds
            throughput = f"{mbps:,.0f} MB/s"
            if work.limit:
                throughput += f" ({mbps / limits[work.limit]:.2f}x {work.limit})"
        table.append(
            [
                work.name,
                seconds(result, "ours"),
                seconds(result, "go"),
                ratio(result, "go"),
                seconds(result, "skopeo"),
                ratio(result, "skopeo"),
                _targets(work, result),
                throughput,
                " / ".join(rss(result, side) for side in ("ours", "go", "skopeo")),
            ]
        )
        if "floor" in result.timings:
            floor = result.timings["floor"].seconds
            go_over_floor = "-"
            if "go" in result.timings:
                go_over_floor = f"{result.timings['go'].seconds / floor:.2f}x"
            floors.append(
                [
                    f"crane {work.name}",
                    f"{floor:.3f}",
                    seconds(result, "ours"),
                    ratio(result, "floor") + _verdict(result.ratios["floor"] <= 1.4),
                    seconds(result, "go"),
                    go_over_floor,
                ]
            )
    header = [
        "workload",
        "crane s",
        "Go crane s",
        "crane/Go",
        "skopeo s",
        "crane/skopeo",
        "targets",
        "crane throughput (vs limit)",
        "peak RSS MiB: crane / Go / skopeo",
    ]
    floor_header = [
        "command",
        "floor s",
        "crane s",
        "crane/floor (≤ 1.4x)",
        "Go crane s",
        "Go/floor (medians)",
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
    sections = [
        "# Benchmarks",
        "Generated by `python tools/bench/suite.py` (`nox -s bench`); do not edit by hand.",
        context,
        "## Workloads",
        "Seconds are each side's median run; crane/Go and crane/skopeo are the median of "
        "the per-round ratios (a round runs crane, Go crane, skopeo in turn); peak RSS "
        "is the worst run's. Targets: issue 17 against Go crane, issue 9 against skopeo; "
        f"every peak RSS ≤ {RSS_TARGET_MB} MiB (flagged only when missed).",
        markdown_table(table, header),
    ]
    if floors:
        sections += [
            "## Start-up against the floor of requests",
            'The floor is `python -c "import requests; requests.head(URL)"` with the same '
            "interpreter, against the manifest URL `crane digest` resolves, run in the same "
            "rounds; crane/floor is the median of the per-round ratios.",
            markdown_table(floors, floor_header),
        ]
    sections += [
        "## This machine's limits, measured in the same run",
        markdown_table(limit_rows, ["limit", "measured"]),
    ]
    return "\n\n".join(sections) + "\n"


def _default_go_crane() -> pathlib.Path | None:
    """``$CR_GO_CRANE`` when set, else the anchor beside the repository when present."""
    named = os.environ.get("CR_GO_CRANE")
    if named:
        return pathlib.Path(named)
    return GO_CRANE_ANCHOR if os.access(GO_CRANE_ANCHOR, os.X_OK) else None


def _version(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    return (
        (done.stdout.strip() or done.stderr.strip()).splitlines()[0]
        if done.returncode == 0
        else "?"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds of each heavy workload")
    parser.add_argument("--quick-runs", type=int, default=11, help="rounds of each quick one")
    parser.add_argument("--warmup", type=int, default=1, help="rounds run first, not counted")
    parser.add_argument(
        "--go-crane",
        type=pathlib.Path,
        default=_default_go_crane(),
        metavar="PATH",
        help="the Go crane binary to compare with (default: $CR_GO_CRANE, else "
        f"{GO_CRANE_ANCHOR} when present)",
    )
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
    go_crane = args.go_crane
    if go_crane is not None and not os.access(go_crane, os.X_OK):
        print(
            f"--go-crane {go_crane}: no executable there; give a Go crane binary", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    workdir = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "out").mkdir(exist_ok=True)
    import_sources()

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
    finally:
        embedded.stop()
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
            workdir, registry2, sizes, archive, pulled, tars["append"][0], go_crane
        )
        if not args.only or any(text in work.name for text in args.only)
    ]
    if not selected:
        print(f"no workload name contains any of {args.only}", file=sys.stderr)
        return 2
    for work in selected:
        runs = args.runs if work.heavy else args.quick_runs
        result = paired(work, runs, args.warmup, workdir, registry2)
        rows.append((work, result))
        print(
            f"{work.name}: "
            + ", ".join(f"{side} {t.seconds:.3f} s" for side, t in result.timings.items())
            + "; ours/"
            + ", ours/".join(f"{side} {r:.2f}x" for side, r in result.ratios.items()),
            file=sys.stderr,
            flush=True,
        )
    load = os.getloadavg()
    go_version = _version([str(go_crane), "version"]) if go_crane else "none"
    context = (
        f"Run {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()} "
        f"({'distributions installed from wheels' if installed() else 'sources on PYTHONPATH'}), "
        f"Go crane {go_version}, {_version(['skopeo', '--version'])}; "
        f"load average at the end {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(other work shares these cores: figures are noisy). "
        f"Image: 6 layers, {sizes['uncompressed'] / MB:,.0f} MB uncompressed, "
        f"{sizes['compressed'] / MB:,.0f} MB compressed; index: 3 platforms x 2 layers, "
        f"{sizes['index'] / MB:,.0f} MB compressed. Heavy workloads {args.runs} rounds, "
        f"quick ones {args.quick_runs}, after {args.warmup} uncounted; "
        f"suite took {(time.perf_counter() - started) / 60:.1f} min."
    )
    report = render(rows, limits, context)
    print(report)
    if not args.no_write and not args.only:
        args.output.write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
