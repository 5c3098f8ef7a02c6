"""crane, gcrane and kcrane with ``docker-daemon:`` against the real dockerd and registry:2.

The image is runnable: Debian's static busybox as its one layer, added with
``crane append``. Round trips through the daemon keep the config digest (the image
id) and every diff_id, and the daemon runs what crane copied in.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

BUSYBOX = "/bin/busybox"


def _cli(
    name: str, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    code = f"from containerregistry.{name}.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def crane(*argv: str, cli: str = "crane") -> bytes:
    """Run ``crane ARGV`` (or gcrane, kcrane); fail with its stderr unless it exits 0."""
    done = _cli(cli, *argv)
    assert done.returncode == 0, f"{cli} {' '.join(argv)}: {done.stderr.decode()}"
    return done.stdout


def _docker(docker_cli: str, *argv: str) -> str:
    done = subprocess.run([docker_cli, *argv], capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, f"docker {' '.join(argv)}: {done.stderr.decode()}"
    return done.stdout.decode()


@pytest.fixture(scope="module")
def busybox_image(
    docker_cli: str, registry2_address: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A runnable busybox image in registry:2, built with crane append and mutate."""
    if not os.path.isfile(BUSYBOX):
        pytest.fail(
            f"{BUSYBOX} is missing; install Debian's busybox-static (tools/services up does)"
        )
    root = tmp_path_factory.mktemp("busybox")
    layer = root / "layer.tar"
    with tarfile.open(layer, "w") as archive:
        archive.add(BUSYBOX, arcname="bin/busybox")
        link = tarfile.TarInfo("bin/sh")
        link.type, link.linkname = tarfile.SYMTYPE, "busybox"
        archive.addfile(link)
    arch = _docker(docker_cli, "version", "--format", "{{.Server.Arch}}").strip()
    crane("append", "-f", str(layer), "-t", f"oci:{root}/layout:bare")
    ref = f"{registry2_address}/crtest/busybox:{secrets.token_hex(4)}"
    crane(
        "mutate",
        f"oci:{root}/layout:bare",
        "--set-platform",
        f"linux/{arch}",
        "--entrypoint",
        "/bin/busybox",
        "-t",
        ref,
    )
    return ref


def _config_and_diff_ids(ref: str) -> tuple[str, list[str]]:
    config = crane("config", ref)
    digest = "sha256:" + hashlib.sha256(config).hexdigest()
    return digest, list(json.loads(config)["rootfs"]["diff_ids"])


def test_registry_to_daemon_and_back_keeps_config_and_diff_ids_and_runs(
    docker_cli: str, daemon_repository: str, busybox_image: str, registry2_address: str
) -> None:
    config_digest, diff_ids = _config_and_diff_ids(busybox_image)
    assert crane("copy", busybox_image, f"docker-daemon:{daemon_repository}:1") == b""
    inspected = json.loads(_docker(docker_cli, "image", "inspect", f"{daemon_repository}:1"))[0]
    assert inspected["Id"] == config_digest
    assert inspected["RootFS"]["Layers"] == diff_ids
    ran = _docker(docker_cli, "run", "--rm", f"{daemon_repository}:1", "echo", "hello from crane")
    assert ran == "hello from crane\n"

    back = f"{registry2_address}/crtest/back:{secrets.token_hex(4)}"
    crane("copy", f"docker-daemon:{daemon_repository}:1", back)
    assert _config_and_diff_ids(back) == (config_digest, diff_ids)
    # The daemon's image re-gzipped deterministically: the digest crane shows is what it pushed.
    assert crane("digest", f"docker-daemon:{daemon_repository}:1") == crane("digest", back)
    assert crane("digest", f"docker://{back}") == crane("digest", back)


def test_export_from_the_daemon_is_the_image_filesystem(
    daemon_repository: str, busybox_image: str
) -> None:
    crane("copy", busybox_image, f"docker-daemon:{daemon_repository}:exp")
    exported = crane("export", f"docker-daemon:{daemon_repository}:exp", "-")
    assert exported == crane("export", busybox_image, "-")
    with tarfile.open(fileobj=io.BytesIO(exported)) as archive:
        member = archive.getmember("bin/busybox")
        assert member.size == os.path.getsize(BUSYBOX)


def test_daemon_with_archives_layouts_and_image_commands(
    docker_cli: str, daemon_repository: str, busybox_image: str, tmp_path: Path
) -> None:
    config_digest, diff_ids = _config_and_diff_ids(busybox_image)
    crane("copy", busybox_image, f"docker-daemon:{daemon_repository}:src")
    for sink in (
        f"oci:{tmp_path}/layout:v1",
        f"oci-archive:{tmp_path}/oci.tar:v1",
        f"docker-archive:{tmp_path}/docker.tar:{daemon_repository}:v1",
    ):
        crane("copy", f"docker-daemon:{daemon_repository}:src", sink)
        assert _config_and_diff_ids(sink) == (config_digest, diff_ids)
    # docker load reads what docker-archive: wrote.
    loaded = subprocess.run(
        [docker_cli, "load", "-i", str(tmp_path / "docker.tar")], capture_output=True, check=False
    )
    assert loaded.stdout.decode() == f"Loaded image: {daemon_repository}:v1\n", loaded.stderr
    # mutate reads the daemon and writes it back under a new tag; the label is seen by docker.
    printed = crane(
        "mutate",
        f"docker-daemon:{daemon_repository}:src",
        "--label",
        "made=crane",
        "-t",
        f"docker-daemon:{daemon_repository}:labelled",
    )
    assert printed.decode().startswith("sha256:")
    labelled = _docker(docker_cli, "image", "inspect", f"{daemon_repository}:labelled")
    assert json.loads(labelled)[0]["Config"]["Labels"] == {"made": "crane"}
    # append -b from the daemon, to the daemon, and the new file is there when it runs.
    extra = tmp_path / "extra.tar"
    with tarfile.open(extra, "w") as archive:
        info = tarfile.TarInfo("greeting")
        info.size = 6
        archive.addfile(info, io.BytesIO(b"hello\n"))
    crane(
        "append",
        "-b",
        f"docker-daemon:{daemon_repository}:src",
        "-f",
        str(extra),
        "-t",
        f"docker-daemon:{daemon_repository}:more",
    )
    assert (
        _docker(docker_cli, "run", "--rm", f"{daemon_repository}:more", "cat", "/greeting")
        == "hello\n"
    )
    # flatten and validate read the daemon.
    crane(
        "flatten",
        f"docker-daemon:{daemon_repository}:more",
        "-t",
        f"docker-daemon:{daemon_repository}:flat",
    )
    flat = json.loads(_docker(docker_cli, "image", "inspect", f"{daemon_repository}:flat"))[0]
    assert len(flat["RootFS"]["Layers"]) == 1
    assert crane("validate", "--remote", f"docker-daemon:{daemon_repository}:flat") == (
        f"PASS: docker-daemon:{daemon_repository}:flat\n".encode()
    )
    # tag and ls in the daemon.
    assert crane("tag", f"docker-daemon:{daemon_repository}:src", "again") == b""
    assert crane("ls", f"docker-daemon:{daemon_repository}").decode().split() == sorted(
        ["again", "flat", "labelled", "more", "src", "v1"]
    )


@pytest.mark.parametrize("cli", ["gcrane", "kcrane"])
def test_gcrane_and_kcrane_copy_through_the_daemon(
    docker_cli: str, daemon_repository: str, busybox_image: str, cli: str
) -> None:
    config_digest, _ = _config_and_diff_ids(busybox_image)
    crane("copy", busybox_image, f"docker-daemon:{daemon_repository}:{cli}", cli=cli)
    inspected = json.loads(_docker(docker_cli, "image", "inspect", f"{daemon_repository}:{cli}"))[0]
    assert inspected["Id"] == config_digest
    assert crane("digest", f"docker-daemon:{daemon_repository}:{cli}", cli=cli).startswith(
        b"sha256:"
    )


def test_one_line_errors_for_the_daemon(daemon_repository: str, busybox_image: str) -> None:
    missing = _cli("crane", "digest", f"docker-daemon:{daemon_repository}:absent")
    assert missing.returncode == 1
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    assert missing.stderr.decode() == (
        f"Error: cannot read image {daemon_repository}:absent: the Docker daemon at {host} has no "
        "such image; check the name, or pull or load the image first\n"
    )
    for argv in (
        ["digest", f"docker-daemon:{daemon_repository}:1"],
        ["copy", busybox_image, f"docker-daemon:{daemon_repository}:1"],
    ):
        down = _cli("crane", *argv, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
        assert down.returncode == 1
        lines = down.stderr.decode().splitlines()
        assert lines[-1].startswith("Error: cannot ")
        assert lines[-1].endswith(
            "the Docker daemon at unix:///nonexistent/docker.sock does not answer; start it "
            "(e.g. `systemctl start docker`) or point DOCKER_HOST at a running one"
        )
