"""Throughput of ``crane export``: bytes written per second and peak RSS.

Builds (once, in ``--workdir``) an image of about 815 MB uncompressed in several
layers of real files from this machine (``/usr``: directories, regular files and
symbolic links, so the per-entry cost counts as it does in real images), pushes it
with ``crane append`` to an embedded registry serving from ``--disk`` in the work
directory, then times ``crane export IMAGE out.tar`` ``--runs`` times under GNU
``time`` for the peak RSS. Reports the median wall time, output MB/s, and the
local inflate speeds (zlib and the inflater ``decompress`` uses) for context.

    python tools/bench/export.py [--workdir DIR] [--runs 3] [--stdout]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tarfile
import time
import zlib
from collections.abc import Iterator

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from _common import import_sources, python_env
from fixtures import EmbeddedRegistry, crane, run

MB = 1_000_000
IMAGE = "bench/export:v1"
#: Trees of real files, dealt to the layers in sorted order.
SOURCES = ("/usr/lib", "/usr/share", "/usr/bin")
LAYERS = 7
IMAGE_MB = 815


def _entries() -> Iterator[pathlib.Path]:
    """Directories, readable regular files and symlinks under SOURCES, in a stable order."""
    for top in SOURCES:
        for directory, dirs, files in os.walk(top):
            dirs.sort()
            yield pathlib.Path(directory)
            for name in sorted(files):
                path = pathlib.Path(directory, name)
                if path.is_symlink() or (path.is_file() and os.access(path, os.R_OK)):
                    yield path


def build_layers(workdir: pathlib.Path) -> list[pathlib.Path]:
    """Make (or find) the layer tars: IMAGE_MB of file data over LAYERS tars."""
    layers = [workdir / f"export-layer-{n}.tar" for n in range(LAYERS)]
    if all(path.exists() for path in layers):
        return layers
    budget = IMAGE_MB * MB // LAYERS
    entries = _entries()
    for path in layers:
        partial = path.with_suffix(".partial")
        written = 0
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            for source in entries:
                size = 0 if source.is_symlink() or source.is_dir() else source.stat().st_size
                if size > budget // 4:
                    continue  # layers of many files, as real ones are
                tar.add(source, arcname=str(source).lstrip("/"), recursive=False)
                written += size + 512
                if written >= budget:
                    break
        partial.rename(path)
    return layers


def inflate_speed(layer: pathlib.Path) -> dict[str, float]:
    """MB/s of output when inflating one gzip'd layer with zlib and with ``best()``."""
    import_sources()
    from containerregistry.compression import _inflate

    data = layer.read_bytes()[: 200 * MB]
    packed = zlib.compressobj(1, zlib.DEFLATED, 31)
    blob = packed.compress(data) + packed.flush()
    speeds = {}
    inflaters = {"zlib": _inflate.load("zlib"), _inflate.best().name: _inflate.best()}
    for name, inflater in inflaters.items():
        assert inflater is not None
        start = time.perf_counter()
        inflate = inflater.decompressobj(31)
        out = 0
        for offset in range(0, len(blob), 1 << 20):
            out += len(inflate.decompress(blob[offset : offset + (1 << 20)]))
        speeds[name] = out / MB / (time.perf_counter() - start)
    return speeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=pathlib.Path, default=pathlib.Path("/tmp/bench-export"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--stdout", action="store_true", help="export to stdout redirected to the file"
    )
    args = parser.parse_args()
    workdir: pathlib.Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    layers = build_layers(workdir)
    registry = EmbeddedRegistry(workdir / "registry")
    out = workdir / "out.tar"
    try:
        reference = f"{registry.host}/{IMAGE}"
        try:
            run(crane("digest", reference))
        except RuntimeError:
            flags = [arg for path in layers for arg in ("-f", str(path))]
            run(crane("append", *flags, "-t", reference))
        times, cpus, peaks, size = [], [], [], 0
        for _ in range(args.runs):
            out.unlink(missing_ok=True)
            argv = ["/usr/bin/time", "-f", "%U %S %M"]
            if args.stdout:
                argv += ["sh", "-c", '"$@" > "$0"', str(out)]
            argv += crane("export", reference, "-" if args.stdout else str(out))
            start = time.perf_counter()
            done = subprocess.run(argv, env=python_env(), capture_output=True, text=True)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise RuntimeError(f"crane export failed: {done.stderr.strip()[-800:]}")
            times.append(elapsed)
            user, system, peak = done.stderr.strip().splitlines()[-1].split()
            peaks.append(int(peak) / 1024)
            cpus.append(float(user) + float(system))
            size = out.stat().st_size
            print(
                f"  run: {elapsed:.2f} s, {size / MB / elapsed:.0f} MB/s, {cpus[-1]:.1f} s CPU "
                f"({size / MB / cpus[-1]:.0f} MB per CPU second), {peaks[-1]:.0f} MB RSS"
            )
        out.unlink(missing_ok=True)
    finally:
        registry.stop()
    seconds = statistics.median(times)
    speeds = inflate_speed(layers[0])
    limits = ", ".join(f"inflate {name} {speed:.0f} MB/s" for name, speed in speeds.items())
    print(
        f"export of {size / MB:.0f} MB ({LAYERS} layers): median {seconds:.2f} s, "
        f"{size / MB / seconds:.0f} MB/s of output, {statistics.median(cpus):.1f} s CPU, "
        f"peak RSS {max(peaks):.0f} MB "
        f"({limits}; load {os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
