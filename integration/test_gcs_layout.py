"""gs:// OCI layouts end to end: crane/gcrane pull --format oci into a bucket of
gcp-storage-emulator, push back out of it, and read it with our layout reader."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(
    0,
    os.path.join(os.path.dirname(__file__), "..", "packages", "containerregistry-layout", "tests"),
)

from gcs_testkit import PreconditionProxy, storage_emulator

from containerregistry import layout, name, random, remote
from containerregistry.layout import _gcs
from containerregistry.registry import Registry, make_server

BUCKET = "integration"


@pytest.fixture(scope="module")
def emulator() -> Iterator[PreconditionProxy]:
    with storage_emulator() as proxy:
        yield proxy


@pytest.fixture
def env(
    emulator: PreconditionProxy, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The environment of the CLI processes: the emulator, no user credentials."""
    values = {
        **os.environ,
        "STORAGE_EMULATOR_HOST": emulator.url,
        "DOCKER_CONFIG": str(tmp_path / "docker"),
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
    }
    values.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    client = _gcs.default_client()
    if not client.bucket(BUCKET).exists():
        client.create_bucket(BUCKET)
    return values


@pytest.fixture
def registry() -> Iterator[str]:
    server = make_server(Registry(), address="127.0.0.1:0").start()
    try:
        yield f"127.0.0.1:{server.port}"
    finally:
        server.stop()


def _cli(tool: str, env: dict[str, str], *argv: str) -> str:
    module = f"containerregistry.{tool}.cli"
    done = subprocess.run(
        [sys.executable, "-m", module, "--insecure", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("tool", ["crane", "gcrane"])
def test_pull_into_a_bucket_and_push_back(tool: str, env: dict[str, str], registry: str) -> None:
    index = random.index(1024, 2, 2, seed=11)
    remote.write_index(name.parse_reference(f"{registry}/src:multi", insecure=True), index)
    target = f"gs://{BUCKET}/{tool}/pulled"
    _cli(tool, env, "pull", "--format", "oci", f"{registry}/src:multi", target)

    # Our layout reader sees the whole index, every blob verified.
    read = layout.gcs_layout(target).image_index()
    entries = read.index_manifest().manifests or ()
    assert [d.digest for d in entries] == [index.digest()]
    pulled = read.image_index(index.digest())
    for child in pulled.index_manifest().manifests or ():
        for blob in pulled.image(child.digest).layers():
            with blob.compressed() as stream:
                stream.read()

    out = _cli(tool, env, "push", target, f"{registry}/dst:copy")
    assert out.strip() == f"{registry}/dst@{index.digest()}"
    assert _cli(tool, env, "digest", f"{registry}/dst:copy").strip() == str(index.digest())

    # Pulling again appends nothing new and uploads no blob twice.
    _cli(tool, env, "pull", "--format", "oci", f"{registry}/src:multi", target)
    assert len(layout.gcs_layout(target).image_index().index_manifest().manifests or ()) == 1


def test_two_processes_append_to_one_layout(env: dict[str, str], registry: str) -> None:
    refs = []
    for seed in range(4):
        ref = f"{registry}/many:t{seed}"
        remote.write(name.parse_reference(ref, insecure=True), random.image(256, 1, seed=seed))
        refs.append(ref)
    target = f"gs://{BUCKET}/shared"
    layout.gcs_layout(target, create=True)
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "containerregistry.crane.cli",
                "--insecure",
                "pull",
                "--format",
                "oci",
                "--annotate-ref",
                *refs[i::2],
                target,
            ],
            env=env,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    entries = layout.gcs_layout(target).image_index().index_manifest().manifests or ()
    names = sorted(d.annotations["org.opencontainers.image.ref.name"] for d in entries)
    assert names == sorted(refs)
