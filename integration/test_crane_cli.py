"""crane commands against a real registry:2, with skopeo reading the results back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from containerregistry import name, random, remote


def crane(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run the crane CLI in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "--insecure", *argv],
        capture_output=True,
        env=os.environ,
        timeout=300,
        check=False,
    )


def inspect(skopeo: str, ref: str, *, raw: bool = False) -> bytes:
    argv = [skopeo, "inspect", "--tls-verify=false", *(["--raw"] if raw else []), f"docker://{ref}"]
    return subprocess.run(argv, capture_output=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def seeded(registry2_address: str) -> str:
    """registry2 with crane-it/src:v1 (an image) and crane-it/idx:v1 (an index)."""
    remote.write(
        name.parse_reference(f"{registry2_address}/crane-it/src:v1", insecure=True),
        random.image(2048, 2, seed=11),
        insecure=True,
    )
    remote.write_index(
        name.parse_reference(f"{registry2_address}/crane-it/idx:v1", insecure=True),
        random.index(1024, 1, 2, seed=12),
        insecure=True,
    )
    return registry2_address


def test_digest_manifest_config_match_skopeo(seeded: str, skopeo: str) -> None:
    ref = f"{seeded}/crane-it/src:v1"
    raw = inspect(skopeo, ref, raw=True)
    assert crane("manifest", ref).stdout == raw
    digest = json.loads(inspect(skopeo, ref))["Digest"]
    done = crane("digest", ref)
    assert (done.returncode, done.stdout) == (0, f"{digest}\n".encode())
    config = subprocess.run(
        [skopeo, "inspect", "--tls-verify=false", "--config", "--raw", f"docker://{ref}"],
        capture_output=True,
        check=True,
    ).stdout
    assert crane("config", ref).stdout == config


def test_copy_tag_ls_delete(seeded: str, skopeo: str) -> None:
    src, dst = f"{seeded}/crane-it/idx:v1", f"{seeded}/crane-it/copied:v1"
    done = crane("copy", src, dst)
    assert (done.returncode, done.stdout) == (0, b"")
    assert inspect(skopeo, dst, raw=True) == inspect(skopeo, src, raw=True)
    assert crane("tag", dst, "v2").returncode == 0
    listed = crane("ls", f"{seeded}/crane-it/copied")
    assert listed.stdout == b"v1\nv2\n"
    tags = json.loads(
        subprocess.run(
            [skopeo, "list-tags", "--tls-verify=false", f"docker://{seeded}/crane-it/copied"],
            capture_output=True,
            check=True,
        ).stdout
    )["Tags"]
    assert sorted(tags) == ["v1", "v2"]
    refused = crane("copy", "-n", src, dst)
    assert refused.returncode == 1
    assert refused.stderr.decode().startswith("Error: refusing to clobber existing tag")


def test_pull_push_round_trip(seeded: str, skopeo: str, tmp_path: Path) -> None:
    src = f"{seeded}/crane-it/src:v1"
    for fmt, path in (("tarball", tmp_path / "img.tar"), ("oci", tmp_path / "layout")):
        assert crane("pull", "--format", fmt, src, os.fspath(path)).returncode == 0
        dst = f"{seeded}/crane-it/pushed-{fmt}:v1"
        done = crane("push", os.fspath(path), dst)
        digest = json.loads(inspect(skopeo, src))["Digest"]
        assert done.stdout == f"{seeded}/crane-it/pushed-{fmt}@{digest}\n".encode()
        assert json.loads(inspect(skopeo, dst))["Digest"] == digest
    validated = crane("validate", "--remote", src, "--tarball", os.fspath(tmp_path / "img.tar"))
    assert validated.stdout.decode().splitlines() == [
        f"PASS: {tmp_path / 'img.tar'}",
        f"PASS: {src}",
    ]


def test_catalog_lists_the_repositories(seeded: str) -> None:
    done = crane("catalog", seeded)
    assert done.returncode == 0
    assert {"crane-it/src", "crane-it/idx"} <= set(done.stdout.decode().splitlines())
