"""Images that crane's changing commands make, read back by skopeo and the Docker daemon.

append, mutate, flatten and index append push to a real registry:2; skopeo inspects
what they pushed and the daemon pulls it. flatten and export of an image with
whiteouts, opaque directories, hardlinks and symlinks must give the filesystem
docker itself builds (``docker create`` + ``docker export``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from containerregistry import empty, mutate, name, remote, tarball
from containerregistry.v1 import Image

#: What docker adds to every container's filesystem; not part of any image.
_DOCKER_ADDS = {
    ".dockerenv",
    "dev",
    "proc",
    "sys",
    "etc",
    "etc/hostname",
    "etc/hosts",
    "etc/resolv.conf",
    "etc/mtab",
}


def crane(*argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run the crane CLI in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", "--insecure", *argv],
        capture_output=True,
        env=os.environ,
        timeout=300,
        check=False,
    )


def ok(done: subprocess.CompletedProcess[bytes]) -> str:
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def inspect(skopeo: str, ref: str, *, raw: bool = False) -> dict[str, object]:
    argv = [skopeo, "inspect", "--tls-verify=false", *(["--raw"] if raw else []), f"docker://{ref}"]
    out = subprocess.run(argv, capture_output=True, check=True, timeout=120).stdout
    loaded: dict[str, object] = json.loads(out)
    return loaded


def _add(
    tar: tarfile.TarFile,
    entry: str,
    kind: bytes = tarfile.REGTYPE,
    *,
    data: bytes = b"",
    link: str = "",
    mode: int = 0o644,
) -> None:
    info = tarfile.TarInfo(entry)
    info.type = kind
    info.mode = mode
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def _lower(tar: tarfile.TarFile) -> None:
    _add(tar, "app", tarfile.DIRTYPE, mode=0o755)
    _add(tar, "app/a.txt", data=b"alpha\n")
    _add(tar, "app/run.sh", data=b"#!/bin/sh\necho hi\n", mode=0o755)
    _add(tar, "app/hard", tarfile.LNKTYPE, link="app/a.txt")
    _add(tar, "app/rel", tarfile.SYMTYPE, link="a.txt")
    _add(tar, "app/abs", tarfile.SYMTYPE, link="/app/run.sh")
    _add(tar, "gone", tarfile.DIRTYPE, mode=0o755)
    _add(tar, "gone/x", data=b"x\n")
    _add(tar, "opaque", tarfile.DIRTYPE, mode=0o750)
    _add(tar, "opaque/old", data=b"old\n")
    _add(tar, "deleted.txt", data=b"bye\n")


def _upper(tar: tarfile.TarFile) -> None:
    _add(tar, ".wh.deleted.txt")
    _add(tar, ".wh.gone")
    _add(tar, "opaque", tarfile.DIRTYPE, mode=0o750)
    _add(tar, "opaque/.wh..wh..opq")
    _add(tar, "opaque/new", data=b"new\n")
    _add(tar, "app", tarfile.DIRTYPE, mode=0o755)
    _add(tar, "app/a.txt", data=b"alpha, changed\n", mode=0o600)
    _add(tar, "app/b.txt", data=b"beta\n")
    _add(tar, "app/b-link", tarfile.LNKTYPE, link="app/b.txt")
    _add(tar, "app/up", tarfile.SYMTYPE, link="../opaque/new")


def tricky_image(tmp: Path) -> Image:
    """A linux/amd64 Docker image of two layers with whiteouts, an opaque dir and links."""
    layers = []
    for index, fill in enumerate((_lower, _upper)):
        path = tmp / f"layer{index}.tar"
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
            fill(tar)
        layers.append(tarball.layer_from_file(path))
    base = mutate.config_file(
        empty.image,
        dataclasses.replace(empty.image.config_file(), os="linux", architecture="amd64"),
    )
    return mutate.append_layers(base, *layers)


def filesystem(stream: bytes) -> dict[str, tuple[str, int, str]]:
    """Each path of a filesystem tar: (kind, permission bits, link target or content hash).

    A hardlink counts as a file with its target's content (which name docker keeps
    as the primary is its business); docker's own additions are left out.
    """
    found: dict[str, tuple[str, int, str]] = {}
    contents: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(stream)) as tar:
        for member in tar.getmembers():
            path = member.name.removeprefix("./").rstrip("/")
            if not path or path in _DOCKER_ADDS or path.split("/")[0] in {"dev", "proc", "sys"}:
                continue
            if member.isdir():
                found[path] = ("dir", member.mode & 0o7777, "")
            elif member.issym():
                # Linux symlinks have no permissions of their own (docker shows 0777).
                found[path] = ("symlink", 0, member.linkname)
            elif member.islnk():
                target = member.linkname.removeprefix("./")
                found[path] = ("file", member.mode & 0o7777, contents.get(target, "?"))
            else:
                handle = tar.extractfile(member)
                digest = hashlib.sha256(handle.read() if handle else b"").hexdigest()
                contents[path] = digest
                found[path] = ("file", member.mode & 0o7777, digest)
    return found


#: A hardlink whose target a later layer replaced: docker keeps the old content
#: (ggcr writes a link to the new file, #2029; we write the old content).
SHADOWED_LINK = "app/hard"


def docker_filesystem(docker: str, ref: str) -> dict[str, tuple[str, int, str]]:
    """Pull ``ref`` into the daemon and return the filesystem of a container made from it."""
    subprocess.run([docker, "pull", "-q", ref], capture_output=True, check=True, timeout=300)
    created = subprocess.run(
        [docker, "create", ref, "/nothing"], capture_output=True, check=True, text=True
    ).stdout.strip()
    try:
        exported = subprocess.run(
            [docker, "export", created], capture_output=True, check=True, timeout=300
        ).stdout
    finally:
        subprocess.run([docker, "rm", "-f", created], capture_output=True, check=False)
    return filesystem(exported)


@pytest.fixture(scope="module")
def tricky(registry2_address: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """registry2's crane-mut/tricky:v1, the image of :func:`tricky_image`."""
    ref = f"{registry2_address}/crane-mut/tricky:v1"
    image = tricky_image(tmp_path_factory.mktemp("tricky"))
    remote.write(name.parse_reference(ref, insecure=True), image, insecure=True)
    return ref


def test_export_matches_docker(tricky: str, docker_cli: str) -> None:
    ours = filesystem(crane("export", tricky, "-").stdout)
    assert "app/up" in ours
    assert "gone/x" not in ours
    assert "deleted.txt" not in ours
    assert "opaque/old" not in ours
    assert ours == docker_filesystem(docker_cli, tricky)


def test_export_hardlink_to_a_replaced_file(tricky: str, docker_cli: str) -> None:
    ours = filesystem(crane("export", tricky, "-").stdout)
    assert ours[SHADOWED_LINK] == docker_filesystem(docker_cli, tricky)[SHADOWED_LINK]


def test_flatten_matches_docker(
    tricky: str, registry2_address: str, docker_cli: str, skopeo: str
) -> None:
    flat = f"{registry2_address}/crane-mut/flat:v1"
    out = ok(crane("flatten", "-t", flat, tricky))
    assert out.startswith(f"{registry2_address}/crane-mut/flat@sha256:")
    assert len(inspect(skopeo, flat)["Layers"]) == 1  # type: ignore[arg-type]
    original = docker_filesystem(docker_cli, tricky)
    flat_tree = docker_filesystem(docker_cli, flat)
    assert flat_tree == original
    assert filesystem(crane("export", flat, "-").stdout) == original


def test_append_read_by_skopeo_and_docker(
    tricky: str, registry2_address: str, tmp_path: Path, docker_cli: str, skopeo: str
) -> None:
    layer = tmp_path / "extra.tar"
    with tarfile.open(layer, "w") as tar:
        _add(tar, "extra.txt", data=b"appended\n")
    target = f"{registry2_address}/crane-mut/appended:v1"
    out = ok(crane("append", "-b", tricky, "-f", str(layer), "-t", target))
    digest = out.strip().split("@")[1]
    info = inspect(skopeo, target)
    assert info["Digest"] == digest
    assert len(info["Layers"]) == 3  # type: ignore[arg-type]
    assert docker_filesystem(docker_cli, target)["extra.txt"][0] == "file"


def test_mutate_and_zstd_read_by_skopeo_and_docker(
    tricky: str, registry2_address: str, docker_cli: str, skopeo: str
) -> None:
    target = f"{registry2_address}/crane-mut/mutated:v1"
    ok(crane("mutate", "-l", "team=infra", "-e", "MODE=prod", "-t", target, tricky))
    info = inspect(skopeo, target)
    assert info["Labels"] == {"team": "infra"}
    assert "MODE=prod" in info["Env"]  # type: ignore[operator]
    assert docker_filesystem(docker_cli, target) == docker_filesystem(docker_cli, tricky)
    zstd = f"{registry2_address}/crane-mut/zstd:v1"
    ok(crane("copy", "--compression", "zstd", tricky, zstd))
    raw = inspect(skopeo, zstd, raw=True)
    assert raw["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    assert {layer["mediaType"] for layer in raw["layers"]} == {  # type: ignore[attr-defined]
        "application/vnd.oci.image.layer.v1.tar+zstd"
    }


def test_index_append_and_all_platforms(
    tricky: str, registry2_address: str, docker_cli: str, skopeo: str
) -> None:
    index = f"{registry2_address}/crane-mut/index:v1"
    ok(crane("index", "append", "-m", tricky, "-t", index))
    raw = inspect(skopeo, index, raw=True)
    (child,) = raw["manifests"]  # type: ignore[misc]
    assert child["platform"] == {"architecture": "amd64", "os": "linux"}
    labelled = f"{registry2_address}/crane-mut/index-labelled:v1"
    ok(crane("mutate", "--all-platforms", "-l", "all=yes", "-t", labelled, index))
    raw = inspect(skopeo, labelled, raw=True)
    assert raw["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert inspect(skopeo, labelled)["Labels"] == {"all": "yes"}
    assert docker_filesystem(docker_cli, labelled) == docker_filesystem(docker_cli, tricky)


def test_tag_delete_on_registry2(tricky: str, registry2_address: str) -> None:
    extra = f"{registry2_address}/crane-mut/tricky:extra"
    ok(crane("tag", tricky, "extra"))
    done = crane("tag", "--delete", extra)
    if done.returncode == 0:  # a distribution that deletes by tag
        return
    assert done.stderr.decode().startswith(
        f"Error: registry {registry2_address} does not support deleting tags; "
    )
