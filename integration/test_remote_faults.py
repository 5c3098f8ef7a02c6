"""Copies through a fault-injecting proxy in front of the real registry:2.

For every fault (error statuses, 429 with ``Retry-After``, resets and truncated
bodies on blob reads and on uploads) a push or copy either completes with the
same digests (skopeo, talking to registry:2 directly, agrees) or fails with a
clear error, and never leaves the tag pointing at an image with a missing blob.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_proxy import Fault, FaultProxy

from containerregistry import name, random, remote
from containerregistry.errors import ContainerRegistryError
from containerregistry.transport import RegistryError, Retry
from containerregistry.v1 import Hash, Image

#: Retries as the defaults do them (3 tries) but without the seconds of backoff.
FAST = Retry(attempts=3, backoff=0.05, factor=1.0, jitter=0.0)


class Sleeps:
    """The retry policy's sleep: waits as ``time.sleep`` does and records each wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)

    def policy(self) -> Retry:
        """:data:`FAST` with this sleep."""
        return dataclasses.replace(FAST, sleep=self)


#: Three layers of 1 MiB: a few MB in all, several blobs moving at once.
LAYER_SIZE = 1 << 20


@dataclass(frozen=True)
class Case:
    """A fault script and whether the copy must get through it (None: either way)."""

    faults: tuple[Fault, ...]
    completes: bool | None
    error: str = ""  # what the error must mention when it fails


ALWAYS = 1000

UPLOAD_CASES = {
    "post-500-once": Case((Fault("upload-post", "status", 500),), True),
    "post-503-always": Case((Fault("upload-post", "status", 503, times=ALWAYS),), False, "503"),
    "patch-500-once": Case((Fault("upload-patch", "status", 500),), True),
    "patch-502-once": Case((Fault("upload-patch", "status", 502),), True),
    "patch-503-twice": Case((Fault("upload-patch", "status", 503, times=2),), True),
    "patch-429-retry-after-1s": Case(
        (Fault("upload-patch", "status", 429, retry_after="1"),), True
    ),
    "patch-502-always": Case((Fault("upload-patch", "status", 502, times=ALWAYS),), False, "502"),
    "patch-reset-mid-body": Case((Fault("upload-patch", "reset-request"),), True),
    "patch-reset-mid-body-always": Case(
        (Fault("upload-patch", "reset-request", times=ALWAYS),), False, "PATCH"
    ),
    "patch-body-truncated-on-the-way": Case((Fault("upload-patch", "truncate-request"),), True),
    "patch-answer-lost": Case((Fault("upload-patch", "drop-response"),), True),
    "put-blob-500-once": Case((Fault("upload-put", "status", 500),), True),
    "put-blob-reset-mid-body": Case((Fault("upload-put", "reset-request", min_body=0),), True),
    "put-blob-answer-lost": Case((Fault("upload-put", "drop-response", min_body=0),), True),
    "manifest-put-503-once": Case((Fault("manifest-put", "status", 503),), True),
    "manifest-put-429-retry-after-1s": Case(
        (Fault("manifest-put", "status", 429, retry_after="1"),), True
    ),
    "manifest-put-answer-lost": Case((Fault("manifest-put", "drop-response", min_body=0),), True),
    "manifest-put-500-always": Case(
        (Fault("manifest-put", "status", 500, times=ALWAYS),), False, "UNKNOWN"
    ),
}

COPY_CASES = {
    "blob-get-500-once": Case((Fault("blob-get", "status", 500),), True),
    "blob-get-502-once": Case((Fault("blob-get", "status", 502),), True),
    "blob-get-503-once": Case((Fault("blob-get", "status", 503),), True),
    "blob-get-429-retry-after-1s": Case((Fault("blob-get", "status", 429, retry_after="1"),), True),
    "blob-get-reset-mid-body": Case((Fault("blob-get", "reset-response"),), None),
    "blob-get-truncated-body": Case((Fault("blob-get", "truncate-response"),), None),
    # Every answer cut after half of what is left: each Range request gets further,
    # so the download goes on until the blob is whole (a link that makes progress
    # is not given up).
    "blob-get-truncated-always-resumes": Case(
        (Fault("blob-get", "truncate-response", times=ALWAYS),), True
    ),
    "blob-get-503-always": Case((Fault("blob-get", "status", 503, times=ALWAYS),), False, "503"),
}


def cases(table: dict[str, Case]) -> list[object]:
    """The table as pytest params with readable ids."""
    return [pytest.param(case, id=key) for key, case in table.items()]


@pytest.fixture(scope="module")
def image() -> Image:
    return random.image(LAYER_SIZE, 3, seed=97)


def skopeo_inspect(skopeo: str, ref: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [skopeo, "inspect", "--raw", "--tls-verify=false", f"docker://{ref}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def check_tag(registry2_address: str, repository: str, image: Image, skopeo: str) -> bool:
    """Whether ``repository:v1`` exists on registry:2; when it does it must be ``image``
    whole: skopeo sees its manifest and registry:2 serves every blob at its size."""
    ref = f"{registry2_address}/{repository}:v1"
    missing: RegistryError | None = None
    try:
        found = remote.get(name.parse_reference(ref))
    except RegistryError as exc:
        missing = exc
    if missing is not None:
        assert missing.status == 404, missing
        assert skopeo_inspect(skopeo, ref).returncode != 0
        return False
    assert found.digest == image.digest()
    inspected = skopeo_inspect(skopeo, ref)
    assert inspected.returncode == 0, inspected.stderr
    assert inspected.stdout.encode() == image.raw_manifest()
    manifest = json.loads(inspected.stdout)
    repo = name.new_repository(f"{registry2_address}/{repository}")
    for descriptor in [manifest["config"], *manifest["layers"]]:
        blob = remote.layer(repo.digest(descriptor["digest"]))
        assert blob.size() == descriptor["size"]
        with blob.compressed() as stream:  # read whole: verified against digest and size
            assert len(stream.read()) == descriptor["size"]
    return True


def check_outcome(
    case: Case,
    error: ContainerRegistryError | None,
    proxy: FaultProxy,
    sleeps: Sleeps,
    registry2_address: str,
    repository: str,
    image: Image,
    skopeo: str,
) -> None:
    assert proxy.fired, "the fault never fired: the script does not match what the client sent"
    if error is None:
        # FAST waits 0.05 s between tries: a longer wait is the one Retry-After asked for.
        for fault in case.faults:
            if fault.retry_after is not None:
                assert float(fault.retry_after) in sleeps.waits, (sleeps.waits, proxy.fired)
    if error is not None:
        assert case.completes is not True, f"{error} (faults fired: {proxy.fired})"
        message = str(error)
        assert case.error in message
        assert "\n" not in message.strip()
        assert not check_tag(registry2_address, repository, image, skopeo)
        return
    assert case.completes is not False, f"succeeded through {proxy.fired}"
    assert check_tag(registry2_address, repository, image, skopeo)


def write_through(
    case: Case, registry2_address: str, repository: str, image: Image
) -> tuple[ContainerRegistryError | None, FaultProxy, Sleeps]:
    """Push ``image`` to ``repository:v1`` through a proxy playing ``case``'s faults."""
    error: ContainerRegistryError | None = None
    sleeps = Sleeps()
    with FaultProxy(registry2_address, case.faults) as proxy:
        try:
            target = name.parse_reference(f"{proxy.address}/{repository}:v1")
            remote.write(target, image, retry=sleeps.policy())
        except ContainerRegistryError as exc:
            error = exc
    return error, proxy, sleeps


@pytest.mark.parametrize("case", cases(UPLOAD_CASES))
def test_write_through_faults(
    case: Case, registry2_address: str, image: Image, skopeo: str
) -> None:
    repository = f"faults/write-{secrets.token_hex(4)}"
    error, proxy, sleeps = write_through(case, registry2_address, repository, image)
    check_outcome(case, error, proxy, sleeps, registry2_address, repository, image, skopeo)


#: Upload faults for a stream layer: gzipped while it uploads (sent chunked, its size
#: unknown), so after a break it is compressed again from its start and skipped to the
#: registry's offset.
STREAM_CASES = {
    key: UPLOAD_CASES[key]
    for key in (
        "patch-500-once",
        "patch-reset-mid-body",
        "patch-answer-lost",
        "put-blob-answer-lost",
        "patch-502-always",
    )
}


@pytest.mark.parametrize("case", cases(STREAM_CASES))
def test_stream_layer_write_through_faults(
    case: Case, registry2_address: str, skopeo: str, tmp_path: Path
) -> None:
    from containerregistry import empty, mutate, stream

    source = tmp_path / "layer.bin"
    source.write_bytes(os.urandom(2 * LAYER_SIZE))

    def reopen() -> BinaryIO:
        return open(source, "rb")

    layer = stream.Layer(reopen(), reopen=reopen)
    image = mutate.append_layers(empty.image, layer)
    repository = f"faults/stream-{secrets.token_hex(4)}"
    error, proxy, sleeps = write_through(case, registry2_address, repository, image)
    if error is None:
        with open(source, "rb") as raw:
            assert image.config_file().rootfs.diff_ids == (Hash.of(raw.read()),)
    check_outcome(case, error, proxy, sleeps, registry2_address, repository, image, skopeo)


@pytest.mark.parametrize("case", cases(COPY_CASES))
def test_copy_through_faults_on_blob_reads(
    case: Case, registry2_address: str, image: Image, skopeo: str
) -> None:
    """Read through the proxy, write to registry:2 directly (another name: no mounts)."""
    source = f"faults/source-{secrets.token_hex(4)}"
    remote.write(name.parse_reference(f"{registry2_address}/{source}:v1"), image)
    repository = f"faults/copy-{secrets.token_hex(4)}"
    error: ContainerRegistryError | None = None
    sleeps = Sleeps()
    with FaultProxy(registry2_address, case.faults) as proxy:
        try:
            source_ref = name.parse_reference(f"{proxy.address}/{source}:v1")
            pulled = remote.image(source_ref, retry=sleeps.policy())
            target = name.parse_reference(f"{registry2_address}/{repository}:v1")
            remote.write(target, pulled, retry=sleeps.policy())
        except ContainerRegistryError as exc:
            error = exc
    check_outcome(case, error, proxy, sleeps, registry2_address, repository, image, skopeo)
