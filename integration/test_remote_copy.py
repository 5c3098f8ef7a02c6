"""remote against a real registry:2: copy images and indexes, check digests with skopeo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

_KIT = os.path.join(os.path.dirname(__file__), "..", "packages", "containerregistry-remote")
sys.path.insert(0, os.path.join(_KIT, "tests"))

from remote_testkit import MemoryIndex, Served, random_image, serve  # noqa: E402

from containerregistry import name, remote  # noqa: E402
from containerregistry.registry import MemoryStorage, Registry  # noqa: E402


@pytest.fixture
def embedded() -> Iterator[Served]:
    yield from serve(Registry(storage=MemoryStorage()))


def _inspect(skopeo: str, ref: str) -> str:
    out = subprocess.run(
        [skopeo, "inspect", "--tls-verify=false", "--raw", f"docker://{ref}"],
        check=True,
        capture_output=True,
    ).stdout
    import hashlib

    return "sha256:" + hashlib.sha256(out).hexdigest()


def _digest(skopeo: str, ref: str) -> str:
    out = subprocess.run(
        [skopeo, "inspect", "--tls-verify=false", "--no-tags", f"docker://{ref}"],
        check=True,
        capture_output=True,
    ).stdout
    return str(json.loads(out)["Digest"])


def test_copy_image_between_registries_and_repositories(
    registry2_address: str, embedded: Served, skopeo: str
) -> None:
    img = random_image(101, layers=3, size=200_000)
    remote.write(embedded.ref("src:v1"), img)
    target = name.parse_reference(f"{registry2_address}/remote-it/app:v1")
    remote.write(target, remote.image(embedded.ref("src:v1")))
    assert _digest(skopeo, str(target)) == str(img.digest())
    assert _inspect(skopeo, str(target)) == str(img.digest())

    # same registry, another repository: every blob is mounted
    second = name.parse_reference(f"{registry2_address}/remote-it/copy:v1")
    remote.write(second, remote.image(target), chunk_size=65536)
    assert _digest(skopeo, str(second)) == str(img.digest())


def test_copy_index_between_registries(
    registry2_address: str, embedded: Served, skopeo: str
) -> None:
    idx = MemoryIndex(
        [
            (random_image(111), "linux/amd64"),
            (random_image(112, platform=("linux", "arm64")), "linux/arm64/v8"),
            (random_image(113, platform=("linux", "s390x")), "linux/s390x"),
        ]
    )
    remote.write_index(embedded.ref("multi:v1"), idx)
    target = name.parse_reference(f"{registry2_address}/remote-it/multi:v1")
    remote.write_index(target, remote.index(embedded.ref("multi:v1")))
    assert _digest(skopeo, str(target)) == str(idx.digest())
    back = remote.image(target, platform="linux/arm64")
    assert back.config_file().architecture == "arm64"
    copy = name.parse_reference(f"{registry2_address}/remote-it/multi-copy:v1")
    remote.write_index(copy, remote.index(target), chunk_size=1 << 16)
    assert _digest(skopeo, str(copy)) == str(idx.digest())
    assert "v1" in remote.list_tags(copy.context)
