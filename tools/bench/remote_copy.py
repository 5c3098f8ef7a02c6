"""Registry-to-registry copy: containerregistry.remote beside ``skopeo copy``.

Builds a 6-layer image of about 360 MB (incompressible, so compressed size is real)
and a 3-platform index in an embedded registry on disk, then times, each in its own
child process:

- embedded (--disk) -> registry:2, the image: ours and skopeo's;
- embedded (--disk) -> registry:2, the index (all platforms): ours and skopeo's;
- registry:2 -> registry:2 into a new repository (mounts): ours and skopeo's.

Every run writes to a fresh repository so nothing is skipped by a HEAD. Prints wall
seconds, our time over skopeo's, and our peak RSS. Usage:

    CR_REGISTRY2=127.0.0.1:5000 python tools/bench/remote_copy.py [--layer-mb 60] [--runs 1]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCE_PATH = os.pathsep.join(str(p / "src") for p in sorted((ROOT / "packages").iterdir()))

_SERVE = """
import sys
from containerregistry.registry import DiskStorage, Registry, make_server
server = make_server(Registry(storage=DiskStorage(sys.argv[1])), address="127.0.0.1:0")
print(server.port, flush=True)
server.serve_forever()
"""

_SEED = """
import gzip, io, json, os, random, sys
from containerregistry import name, remote, types
from containerregistry.v1 import Descriptor, Hash, IndexManifest, Manifest, Platform

host, layer_mb, workdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class FileLayer:
    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self._digest, self._size = Hash.of_stream(f)
    def digest(self): return self._digest
    def diff_id(self): return self._digest
    def size(self): return self._size
    def media_type(self): return types.OCI_LAYER
    def compressed(self): return open(self.path, "rb")
    def uncompressed(self): return open(self.path, "rb")

def layers(seed, count, mb):
    out = []
    for i in range(count):
        path = os.path.join(workdir, f"layer-{seed}-{i}")
        rng = random.Random(seed * 100 + i)
        with open(path, "wb") as f:
            for _ in range(mb):
                f.write(rng.randbytes(1 << 20))
        out.append(FileLayer(path))
    return out

class Img:
    def __init__(self, lays, arch):
        self._layers = lays
        self.config = json.dumps({"architecture": arch, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [str(l.diff_id()) for l in lays]}}).encode()
        self.raw = Manifest(media_type=types.OCI_MANIFEST_SCHEMA1,
            config=Descriptor(media_type=types.OCI_CONFIG_JSON, size=len(self.config),
                              digest=Hash.of(self.config)),
            layers=tuple(Descriptor(media_type=l.media_type(), size=l.size(), digest=l.digest())
                         for l in lays)).to_json()
    def layers(self): return list(self._layers)
    def media_type(self): return types.OCI_MANIFEST_SCHEMA1
    def raw_manifest(self): return self.raw
    def raw_config_file(self): return self.config
    def config_name(self): return Hash.of(self.config)
    def manifest(self): return Manifest.from_json(self.raw)

big = Img(layers(1, 6, layer_mb), "amd64")
remote.write(name.parse_reference(f"{host}/bench/image:v1"), big, jobs=4)
children = [(Img(layers(10 + n, 3, max(layer_mb // 3, 1)), arch), arch)
            for n, arch in enumerate(["amd64", "arm64", "s390x"])]
for img, _ in children:
    remote.write(name.parse_reference(f"{host}/bench/index@{Hash.of(img.raw)}"), img)
index = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=tuple(
    Descriptor(media_type=img.media_type(), size=len(img.raw), digest=Hash.of(img.raw),
               platform=Platform(os="linux", architecture=arch))
    for img, arch in children)).to_json()
class Raw:
    def raw_manifest(self): return index
    def media_type(self): return types.OCI_IMAGE_INDEX
remote.put(name.parse_reference(f"{host}/bench/index:v1"), Raw())
total = sum(l.size() for l in big.layers())
print(total)
"""

_COPY = """
import sys
from containerregistry import name, remote
src, dst, kind = sys.argv[1], sys.argv[2], sys.argv[3]
desc = remote.get(name.parse_reference(src))
target = name.parse_reference(dst)
if kind == "index":
    remote.write_index(target, desc.image_index())
else:
    remote.write(target, desc.image())
"""


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.pop("PYTHONDONTWRITEBYTECODE", None)
    out["PYTHONPATH"] = SOURCE_PATH
    return out


def timed(argv: list[str]) -> tuple[float, float]:
    """Run ``argv``; return its wall seconds and its own peak RSS in MB."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed: {stderr[-800:]}")
    return elapsed, usage.ru_maxrss / 1024


def skopeo(src: str, dst: str, *, index: bool) -> list[str]:
    argv = ["skopeo", "copy", "--src-tls-verify=false", "--dest-tls-verify=false"]
    if index:
        argv.append("--all")
    return [*argv, f"docker://{src}", f"docker://{dst}"]


def ours(src: str, dst: str, *, index: bool) -> list[str]:
    return [sys.executable, "-c", _COPY, src, dst, "index" if index else "image"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--layer-mb", type=int, default=60, help="size of each of 6 layers")
    parser.add_argument("--runs", type=int, default=1, help="repetitions (best is kept)")
    args = parser.parse_args()
    registry2 = os.environ.get("CR_REGISTRY2")
    if not registry2:
        raise SystemExit("set CR_REGISTRY2 to registry:2's host:port (tools/services up)")
    if shutil.which("skopeo") is None:
        raise SystemExit("skopeo is not installed (Debian: skopeo)")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="bench-remote-"))
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVE, str(workdir / "registry")],
        env=env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        embedded = f"127.0.0.1:{server.stdout.readline().strip()}"
        seed = subprocess.run(
            [sys.executable, "-c", _SEED, embedded, str(args.layer_mb), str(workdir)],
            env=env(),
            check=True,
            capture_output=True,
            text=True,
        )
        size_mb = int(seed.stdout.strip()) / 1e6
        print(f"image: 6 layers, {size_mb:.0f} MB; index: 3 platforms x 3 layers")
        print(f"{'workload':<40} {'ours s':>8} {'skopeo s':>9} {'ratio':>6} {'our RSS MB':>11}")
        cases = [
            ("image embedded(disk) -> registry:2", f"{embedded}/bench/image:v1", False, True),
            ("index embedded(disk) -> registry:2", f"{embedded}/bench/index:v1", True, True),
            ("image registry:2 -> registry:2 (mount)", "", False, False),
        ]
        for label, src, index, cross in cases:
            best_ours, best_theirs, rss = float("inf"), float("inf"), 0.0
            for _ in range(args.runs):
                if not cross:
                    src = f"{registry2}/bench-{uuid.uuid4().hex[:8]}/image:v1"
                    timed(ours(f"{embedded}/bench/image:v1", src, index=False))
                dst = f"{registry2}/bench-{uuid.uuid4().hex[:8]}/copy:v1"
                seconds, peak = timed(ours(src, dst, index=index))
                best_ours, rss = min(best_ours, seconds), max(rss, peak)
                dst = f"{registry2}/bench-{uuid.uuid4().hex[:8]}/skopeo:v1"
                seconds, _ = timed(skopeo(src, dst, index=index))
                best_theirs = min(best_theirs, seconds)
            ratio = best_ours / best_theirs
            print(f"{label:<40} {best_ours:>8.2f} {best_theirs:>9.2f} {ratio:>6.2f} {rss:>11.0f}")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
