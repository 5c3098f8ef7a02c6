"""Ctrl-C while crane moves layers over a slow link to the real registry:2.

The fault proxy trickles blob bodies (64 KiB every 50 ms), so each 4 MiB layer takes
seconds. A SIGINT in the middle of ``pull --format oci`` or ``push`` must end crane
within a fraction of that, keep no partial blob, and leave no entry or tag behind.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_proxy import Fault, FaultProxy

from containerregistry import name, random, remote
from containerregistry.transport import RegistryError

#: Three layers of 4 MiB: about 3 s each through the trickle.
LAYERS, LAYER_SIZE = 3, 4 << 20
#: Enough for any rule to fire on every request of its kind.
ALWAYS = 1000
#: crane must be gone this soon after the SIGINT (a layer alone takes 3 s).
PROMPT = 1.5


@pytest.fixture(scope="module")
def source(registry2_address: str) -> str:
    """``interrupt-it/src:v1`` in registry:2: three random 4 MiB layers."""
    ref = f"{registry2_address}/interrupt-it/src:v1"
    image = random.image(LAYER_SIZE, LAYERS, seed=31)
    remote.write(name.parse_reference(ref, insecure=True), image, insecure=True)
    return ref


def _interrupt(argv: list[str], started: Callable[[], bool]) -> tuple[int, float, bytes]:
    """Run crane ``argv``; once ``started()`` and a moment more, send SIGINT.

    Return the exit code, the seconds from the signal to the exit, and stderr.
    """
    with subprocess.Popen(
        [sys.executable, "-m", "containerregistry.crane.cli", "--insecure", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:
        try:
            deadline = time.monotonic() + 60
            while not started():
                assert process.poll() is None, "crane ended before the layers moved"
                assert time.monotonic() < deadline, "the layers never started to move"
                time.sleep(0.02)
            time.sleep(0.3)  # well inside the first layers
            sent = time.monotonic()
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=60)
            return process.returncode, time.monotonic() - sent, err
        finally:
            if process.poll() is None:
                process.kill()


def _fired(proxy: FaultProxy, what: str) -> Callable[[], bool]:
    return lambda: any(what in line for line in proxy.fired)


def test_ctrl_c_during_pull_to_a_layout(
    registry2_address: str, source: str, tmp_path: Path
) -> None:
    layout = tmp_path / "layout"
    with FaultProxy(
        registry2_address, [Fault("blob-get", "trickle-response", times=ALWAYS)]
    ) as proxy:
        via_proxy = source.replace(registry2_address, proxy.address)
        code, seconds, err = _interrupt(
            ["pull", "--format", "oci", via_proxy, str(layout)], _fired(proxy, "trickle-response")
        )
    assert code == 130, err
    assert seconds < PROMPT
    blobs = layout / "blobs" / "sha256"
    left = sorted(os.listdir(blobs)) if blobs.exists() else []
    assert [n for n in left if n.startswith(".")] == []  # no partial blob
    for entry in left:  # whatever is there is whole (the config, say)
        assert len(entry) == 64
    index = json.loads((layout / "index.json").read_text())
    assert index["manifests"] == []


def test_ctrl_c_during_push(registry2_address: str, source: str, tmp_path: Path) -> None:
    tarball = tmp_path / "image.tar"
    pulled = subprocess.run(
        [
            sys.executable,
            "-m",
            "containerregistry.crane.cli",
            "--insecure",
            "pull",
            source,
            str(tarball),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pulled.returncode == 0, pulled.stderr
    # A new repository each run: blobs an earlier run left there would not be sent again.
    target = f"{registry2_address}/interrupt-it/pushed-{secrets.token_hex(4)}:v1"
    with FaultProxy(
        registry2_address, [Fault("upload-patch", "trickle-request", times=ALWAYS)]
    ) as proxy:
        code, seconds, err = _interrupt(
            ["push", str(tarball), target.replace(registry2_address, proxy.address)],
            _fired(proxy, "trickle-request"),
        )
    assert code == 130, err
    assert seconds < PROMPT
    with pytest.raises(RegistryError, match=r"404|MANIFEST_UNKNOWN"):
        remote.head(name.parse_reference(target, insecure=True), insecure=True)
