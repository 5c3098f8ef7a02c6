"""A streamed push survives a registry that is killed and started again mid-upload.

``crane append`` of a large uncompressed tar compresses it on the fly and sends it as
one streamed PATCH of unknown length. The registry is SIGKILLed once the upload's
data file on disk has grown past :data:`KILL_AT` (so the kill lands mid-upload, on
any machine speed), then started again on the same directory and port. The push must
end with the same image digest everywhere and a layer that is exactly the tar,
compressed:

- ``crane registry serve --disk``: the upload survives the restart; the client asks
  where it stands (``GET``, ``Range``) and resumes there, with no new upload;
- ``registry:2`` (a container of its own, so the shared ``cr-registry2`` is never
  killed under another test): its ``_state`` secret is new after the restart, it
  forgets the upload (404) and the client starts the blob again.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import secrets
import subprocess
import sys
import tarfile
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_containerregistry import RegistryProcess, RegistryProcessFactory

sys.path.insert(0, str(Path(__file__).resolve().parent))

from registry_http import free_port

#: Bytes of the file in the tar: random, so the compressed layer is as large, and
#: large enough that the push is still going when the registry dies.
TAR_CONTENT = 96 << 20
#: The upload's bytes on disk when the registry is killed.
KILL_AT = 24 << 20
#: Seconds the push may take at most, restart included (it takes a few here).
PUSH_TIMEOUT = 120
_PUSHED = re.compile(r"^(\S+)@(sha256:[0-9a-f]{64})$", re.MULTILINE)
_UPLOAD_OPENED = re.compile(r"--> POST \S+/blobs/uploads/$", re.MULTILINE)


class _SeededBytes(io.RawIOBase):
    """``size`` bytes, the same on every run and machine: SHAKE-128 of a block number,
    block after block."""

    def __init__(self, size: int, block: int = 1 << 20) -> None:
        self._left = size
        self._block_size = block
        self._block = 0
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if not self._pending and self._left:
            wanted = min(self._block_size, self._left)
            self._pending = hashlib.shake_128(b"restart-%d" % self._block).digest(wanted)
            self._block += 1
            self._left -= wanted
        count = min(len(buffer), len(self._pending))
        buffer[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count


@pytest.fixture(scope="module")
def big_tar(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An uncompressed tar of one file of :data:`TAR_CONTENT` seeded bytes, and the
    tar's sha256 (the layer's diff_id)."""
    path = tmp_path_factory.mktemp("restart") / "big.tar"
    member = tarfile.TarInfo("big.bin")
    member.size, member.mode, member.mtime = TAR_CONTENT, 0o644, 0
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as archive:
        archive.addfile(member, io.BufferedReader(_SeededBytes(TAR_CONTENT)))
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return path, f"sha256:{digest.hexdigest()}"


@dataclass
class Restartable:
    """A registry on ``address`` keeping its files in ``root`` (Distribution's layout),
    which ``kill`` ends with SIGKILL and ``start`` brings back on the same port."""

    address: str
    root: Path
    kill: Callable[[], None]
    start: Callable[[], None]

    def upload_bytes(self, repository: str) -> int:
        """Bytes the uploads in progress in ``repository`` hold on disk."""
        uploads = self.root / "docker/registry/v2/repositories" / repository / "_uploads"
        total = 0
        for data in uploads.glob("*/data"):
            with contextlib.suppress(FileNotFoundError):  # committed or discarded meanwhile
                total += data.stat().st_size
        return total


@pytest.fixture
def ours(tmp_path: Path, registry_process: RegistryProcessFactory) -> Restartable:
    """``crane registry serve --disk``."""
    root = tmp_path / "disk"
    running: list[RegistryProcess] = [registry_process("--disk", str(root))]
    address = running[0].host

    def kill() -> None:
        running[-1].process.kill()
        running[-1].stop()  # reaps it

    def start() -> None:
        running.append(registry_process("--disk", str(root), address=address))

    return Restartable(address, root, kill, start)


@pytest.fixture
def registry2(tmp_path: Path, docker_cli: str) -> Iterator[Restartable]:
    """A ``registry:2`` container of this test's own, its storage in a host directory."""
    root = tmp_path / "registry2"
    root.mkdir()
    address = f"127.0.0.1:{free_port()}"
    container = f"crtest-restart-{secrets.token_hex(4)}"

    def docker(*args: str) -> None:
        done = subprocess.run(
            [docker_cli, *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"docker {args[0]}: {done.stderr.strip()}"

    def start() -> None:
        docker("start", container)
        _wait_for_v2(address)

    docker(
        "create",
        "--name",
        container,
        "--network",
        "host",
        "-e",
        f"REGISTRY_HTTP_ADDR={address}",
        "-v",
        f"{root}:/var/lib/registry",
        "registry:2",
    )
    try:
        start()
        yield Restartable(address, root, lambda: docker("kill", container), start)
    finally:
        subprocess.run([docker_cli, "rm", "-f", container], capture_output=True, check=False)


def _wait_for_v2(address: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://{address}/v2/", timeout=2):
                return
        except OSError:
            assert time.monotonic() < deadline, f"no registry answers on {address}"
            time.sleep(0.1)


def _crane(*args: str) -> list[str]:
    return [sys.executable, "-m", "containerregistry.crane.cli", *args]


def _get(url: str, accept: str = "*/*") -> urllib.request.Request:
    return urllib.request.Request(url, headers={"Accept": accept})


def _check_pushed(address: str, ref: str, printed: str, diff_id: str) -> None:
    """``ref`` is ``printed`` (crane digest, the manifest's bytes), its layer blob hashes
    to its digest and size, and it inflates to exactly the tar."""
    digest = subprocess.run(
        _crane("digest", ref), capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()
    assert digest == printed
    repository = ref.split("/", 1)[1].split(":", 1)[0]
    accept = "application/vnd.docker.distribution.manifest.v2+json"
    url = f"http://{address}/v2/{repository}/manifests/{printed}"
    with urllib.request.urlopen(_get(url, accept), timeout=60) as response:
        raw = response.read()
    assert f"sha256:{hashlib.sha256(raw).hexdigest()}" == printed
    (layer,) = json.loads(raw)["layers"]
    blob_url = f"http://{address}/v2/{repository}/blobs/{layer['digest']}"
    compressed, inflated = hashlib.sha256(), hashlib.sha256()
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    size = 0
    with urllib.request.urlopen(_get(blob_url), timeout=60) as response:
        while chunk := response.read(1 << 20):
            size += len(chunk)
            compressed.update(chunk)
            inflated.update(inflate.decompress(chunk))
    inflated.update(inflate.flush())
    assert (f"sha256:{compressed.hexdigest()}", size) == (layer["digest"], layer["size"])
    assert inflate.eof
    assert f"sha256:{inflated.hexdigest()}" == diff_id


@pytest.mark.parametrize("which", ["crane-registry-serve", "registry-2"])
def test_streamed_push_survives_a_registry_restart(
    which: str, request: pytest.FixtureRequest, big_tar: tuple[Path, str], tmp_path: Path
) -> None:
    registry: Restartable = request.getfixturevalue(
        "ours" if which == "crane-registry-serve" else "registry2"
    )
    tar, diff_id = big_tar
    repository = "restart/app"
    ref = f"{registry.address}/{repository}:1"
    log = tmp_path / "crane.log"  # a file: -v writes more than a pipe holds unread
    started = time.monotonic()
    with (
        log.open("w") as stderr,
        subprocess.Popen(
            _crane("-v", "append", "-f", str(tar), "-t", ref),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as push,
    ):
        try:
            deadline = time.monotonic() + PUSH_TIMEOUT
            while registry.upload_bytes(repository) < KILL_AT:
                assert push.poll() is None, f"crane ended before the kill: {log.read_text()}"
                assert time.monotonic() < deadline, "the upload never reached the kill mark"
                time.sleep(0.02)
            registry.kill()
            registry.start()
            out, _ = push.communicate(timeout=PUSH_TIMEOUT)
        finally:
            if push.poll() is None:
                push.kill()
    elapsed = time.monotonic() - started
    err = log.read_text()
    assert push.returncode == 0, err[-3000:]
    assert "broke at byte" in err, "the registry died after the upload, not during it"
    found = _PUSHED.search(out)
    assert found is not None, out
    assert found.group(1) == f"{registry.address}/{repository}"
    _check_pushed(registry.address, ref, found.group(2), diff_id)
    opened = len(_UPLOAD_OPENED.findall(err))
    if which == "crane-registry-serve":
        # The layer's upload and the config's: the layer resumed where it stood.
        assert opened == 2, err[-3000:]
        assert registry.upload_bytes(repository) == 0
    else:
        assert opened == 3, err[-3000:]  # registry:2 forgot the upload; it began again
    assert elapsed < PUSH_TIMEOUT
