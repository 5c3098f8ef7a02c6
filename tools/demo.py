"""A guided tour: start the embedded registry, then push, change, copy, list and pull.

Run it with ``python3 -m nox -s demo`` (sets up a virtualenv) or, with the
distributions installed, ``python tools/demo.py``. Every step prints the crane
command it runs and what crane printed. Nothing leaves this machine: the
registry listens on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import io
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

CRANE = [sys.executable, "-m", "containerregistry.crane.cli"]


def run(*args: str, show: bool = True) -> str:
    """Run one crane command, echo it and its output, and stop the demo if it fails."""
    print(f"\n$ crane {shlex.join(args)}", flush=True)
    done = subprocess.run([*CRANE, *args], capture_output=True, text=True, check=False)
    if show and done.stdout:
        print(done.stdout, end="" if done.stdout.endswith("\n") else "\n", flush=True)
    if done.stderr.strip():
        print("  (stderr) " + done.stderr.strip().replace("\n", "\n  (stderr) "), flush=True)
    if done.returncode != 0:
        raise SystemExit(
            f"demo step failed with exit code {done.returncode}: crane {shlex.join(args)}"
        )
    return done.stdout


def make_layer(path: pathlib.Path) -> None:
    """Write a small uncompressed layer tar holding /hello.txt."""
    data = b"hello from containerregistry\n"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        info.mode = 0o644
        archive.addfile(info, io.BytesIO(data))


def main() -> None:
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="crane-demo-"))
    print("Starting the embedded registry: crane registry serve --address 127.0.0.1:0", flush=True)
    server = subprocess.Popen(
        [*CRANE, "registry", "serve", "--address", "127.0.0.1:0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        match = re.search(r"serving on port (\d+)", line)
        if not match:
            raise SystemExit(f"the registry did not start: {line.strip()}")
        registry = f"127.0.0.1:{match.group(1)}"
        print(f"  registry is up at {registry}", flush=True)

        layer = workdir / "hello.tar"
        make_layer(layer)
        repo = f"{registry}/demo/hello"
        run("append", "-f", str(layer), "-t", f"{repo}:v1")
        run(
            "mutate",
            f"{repo}:v1",
            "-l",
            "org.example.demo=true",
            "--entrypoint",
            "/bin/cat,/hello.txt",
            "-t",
            f"{repo}:v2",
        )
        run("copy", f"{repo}:v2", f"{registry}/demo/copy:v2")
        run("ls", repo)
        run("catalog", registry)
        run("digest", f"{repo}:v2")
        print(run("config", f"{repo}:v2", show=False), flush=True)
        layout = workdir / "layout"
        run("pull", "--format", "oci", f"{repo}:v2", str(layout))
        print("  layout files: " + ", ".join(sorted(p.name for p in layout.iterdir())), flush=True)
        run("validate", "--remote", f"{repo}:v2")
        print("\nDone: the image was built, changed, copied, listed, pulled and validated.")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
