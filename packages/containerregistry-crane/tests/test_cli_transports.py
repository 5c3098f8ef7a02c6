"""Every image command with every transport but the daemon's (integration/ has that one).

The image a/img:v1 of the embedded registry is put, by the library's own writers
(not the code under test), into an OCI layout, an OCI archive and a docker archive;
each command then reads it through each transport and must see the same image.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from crane_testkit import digest_of, run

from containerregistry import layout, name, random, remote, tarball
from containerregistry.crane._save import REF_NAME_ANNOTATION
from containerregistry.v1 import Image


def _layout_with(path: Path, image: Image, ref: str) -> None:
    from containerregistry import empty

    written = layout.write(path, empty.index)
    written.append_image(image, annotations={REF_NAME_ANNOTATION: ref})


def _tar_of(directory: Path, out: Path) -> None:
    with tarfile.open(out, "w") as archive:
        for entry in sorted(os.listdir(directory)):
            archive.add(directory / entry, arcname=entry)


@pytest.fixture(scope="module")
def places(host: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The source image a/img:v1 under every transport, keyed by a readable id."""
    root = tmp_path_factory.mktemp("places")
    image = remote.image(name.parse_reference(f"{host}/a/img:v1"))
    _layout_with(root / "layout", image, "v1")
    _layout_with(root / "archived", image, "v1")
    _tar_of(root / "archived", root / "oci.tar")
    tarball.write_to_file(root / "docker.tar", name.new_tag(f"{host}/a/img:v1"), image)
    return {
        "registry": f"{host}/a/img:v1",
        "docker://": f"docker://{host}/a/img:v1",
        "oci": f"oci:{root}/layout:v1",
        "oci-no-ref": f"oci:{root}/layout",
        "oci-archive": f"oci-archive:{root}/oci.tar:v1",
        "docker-archive": f"docker-archive:{root}/docker.tar",
        "docker-archive-ref": f"docker-archive:{root}/docker.tar:{host}/a/img:v1",
        "plain-path": f"{root}/layout",
    }


SOURCES = [
    "registry",
    "docker://",
    "oci",
    "oci-no-ref",
    "oci-archive",
    "docker-archive",
    "docker-archive-ref",
    "plain-path",
]


def _ok(*argv: str) -> bytes:
    code, out, err = run(*argv)
    assert code == 0, err
    return out


@pytest.mark.parametrize("source", SOURCES)
def test_digest_manifest_config_export_validate_read_the_same_image(
    host: str, places: dict[str, str], source: str
) -> None:
    where = places[source]
    want = f"{host}/a/img:v1"
    assert _ok("digest", where) == _ok("digest", want)
    assert _ok("manifest", where) == _ok("manifest", want)
    assert _ok("config", where) == _ok("config", want)
    assert _ok("export", where, "-") == _ok("export", want, "-")
    assert _ok("validate", "--remote", where) == f"PASS: {where}\n".encode()


#: Where copies go: a readable id and the destination under the test's tmp_path.
SINKS: dict[str, Callable[[Path, str], str]] = {
    "docker://": lambda tmp, host: f"docker://{host}/sink/{tmp.name}:v1",
    "oci": lambda tmp, host: f"oci:{tmp}/out:v2",
    "oci-no-ref": lambda tmp, host: f"oci:{tmp}/out",
    "oci-archive": lambda tmp, host: f"oci-archive:{tmp}/out.tar:v2",
    "docker-archive": lambda tmp, host: f"docker-archive:{tmp}/out.tar:app:v2",
    "docker-archive-no-ref": lambda tmp, host: f"docker-archive:{tmp}/out.tar",
}


@pytest.mark.parametrize("sink", list(SINKS))
@pytest.mark.parametrize("source", ["registry", "oci", "docker-archive"])
def test_copy_from_each_source_to_each_sink_keeps_the_image(
    host: str, places: dict[str, str], tmp_path: Path, source: str, sink: str
) -> None:
    destination = SINKS[sink](tmp_path, host)
    code, out, err = run("copy", places[source], destination)
    assert (code, out) == (0, b""), err
    # Between registries crane's own line, with the references as parsed.
    shown = destination.removeprefix("docker://") if source == "registry" else destination
    assert f"Copying from {places[source]} to {shown}" in err
    assert _ok("digest", destination) == _ok("digest", f"{host}/a/img:v1")
    assert _ok("config", destination) == _ok("config", f"{host}/a/img:v1")


def test_an_index_goes_whole_into_a_layout_and_as_its_platform_child_into_a_tarball(
    host: str, tmp_path: Path
) -> None:
    code, _, err = run("copy", f"{host}/a/plat:v1", f"oci:{tmp_path}/l:all")
    assert code == 0, err
    assert _ok("digest", f"oci:{tmp_path}/l:all") == _ok("digest", f"{host}/a/plat:v1")
    code, _, err = run(
        "--platform",
        "linux/arm64",
        "copy",
        f"oci:{tmp_path}/l:all",
        f"docker-archive:{tmp_path}/a.tar",
    )
    assert code == 0, err
    arm = _ok("--platform", "linux/arm64", "digest", f"{host}/a/plat:v1")
    assert _ok("digest", f"docker-archive:{tmp_path}/a.tar") == arm


def test_docker_archive_ref_sets_repo_tags(
    host: str, places: dict[str, str], tmp_path: Path
) -> None:
    _ok("copy", places["oci"], f"docker-archive:{tmp_path}/t.tar:example.com/app:v3")
    with tarfile.open(tmp_path / "t.tar") as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    assert manifest[0]["RepoTags"] == ["example.com/app:v3"]
    _ok("copy", places["oci"], f"docker-archive:{tmp_path}/u.tar")
    with tarfile.open(tmp_path / "u.tar") as archive:
        member = archive.extractfile("manifest.json")
        assert member is not None
        assert json.loads(member.read())[0]["RepoTags"] is None


def test_oci_ref_replaces_the_entry_of_that_name_and_keeps_the_others(
    host: str, tmp_path: Path
) -> None:
    _ok("copy", f"{host}/a/img:v1", f"oci:{tmp_path}/l:a")
    _ok("copy", f"{host}/a/idx:v1", f"oci:{tmp_path}/l:b")
    _ok("copy", f"{host}/a/plat:v1", f"oci:{tmp_path}/l:a")
    index = json.loads((tmp_path / "l" / "index.json").read_text())
    entries = {m["annotations"][REF_NAME_ANNOTATION]: m["digest"] for m in index["manifests"]}
    assert entries == {"b": digest_of(f"{host}/a/idx:v1"), "a": digest_of(f"{host}/a/plat:v1")}
    assert _ok("ls", f"oci:{tmp_path}/l") == b"b\na\n"


def _digest_line(out: bytes) -> str:
    line = out.decode().strip()
    assert line.startswith("sha256:"), line
    return line


@pytest.mark.parametrize("sink", ["oci", "oci-archive", "docker-archive"])
@pytest.mark.parametrize("source", ["registry", "oci", "docker-archive"])
def test_mutate_append_flatten_read_and_write_each_transport(
    host: str, places: dict[str, str], tmp_path: Path, source: str, sink: str
) -> None:
    destination = SINKS[sink](tmp_path, host)
    where = places[source]
    mutated = _digest_line(_ok("mutate", where, "--label", "k=v", "-t", destination))
    assert _ok("digest", destination).decode().strip() == mutated
    assert json.loads(_ok("config", destination))["config"]["Labels"] == {"k": "v"}

    layer = tmp_path / "layer.tar"
    with tarfile.open(layer, "w") as archive:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    appended = _digest_line(_ok("append", "-b", where, "-f", str(layer), "-t", destination))
    assert _ok("digest", destination).decode().strip() == appended
    with tarfile.open(fileobj=io.BytesIO(_ok("export", destination, "-"))) as exported:
        member = exported.extractfile("hello.txt")
        assert member is not None
        assert member.read() == b"hello"

    flat = _digest_line(_ok("flatten", where, "-t", destination))
    assert _ok("digest", destination).decode().strip() == flat
    assert len(json.loads(_ok("manifest", destination))["layers"]) == 1


def test_rebase_reads_and_writes_layouts(host: str, tmp_path: Path) -> None:
    base = random.image(256, 1, seed=21)
    new_base = random.image(256, 1, seed=22)
    _layout_with(tmp_path / "m", new_base, "new")
    old_ref = f"{host}/rebase/base:old"
    remote.write(name.parse_reference(old_ref), base)
    _ok("append", "-b", old_ref, "-f", str(_small_layer(tmp_path)), "-t", f"oci:{tmp_path}/app:v1")
    out = _ok(
        "rebase",
        f"oci:{tmp_path}/app:v1",
        "--old_base",
        old_ref,
        "--new_base",
        f"oci:{tmp_path}/m:new",
        "-t",
        f"oci-archive:{tmp_path}/rebased.tar",
    )
    rebased = _digest_line(out)
    assert _ok("digest", f"oci-archive:{tmp_path}/rebased.tar") == f"{rebased}\n".encode()
    layers = json.loads(_ok("manifest", f"oci-archive:{tmp_path}/rebased.tar"))["layers"]
    assert layers[0]["digest"] == str(new_base.layers()[0].digest())


def _small_layer(tmp_path: Path) -> Path:
    path = tmp_path / "small.tar"
    with tarfile.open(path, "w") as archive:
        info = tarfile.TarInfo("app.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"app"))
    return path


def test_tag_in_a_layout_and_through_docker_slash_slash(
    host: str, places: dict[str, str], tmp_path: Path
) -> None:
    shutil.copytree(places["plain-path"], tmp_path / "l")
    code, out, err = run("tag", f"oci:{tmp_path}/l:v1", "v9")
    assert (code, out) == (0, b""), err
    assert _ok("ls", f"oci:{tmp_path}/l") == b"v1\nv9\n"
    assert _ok("digest", f"oci:{tmp_path}/l:v9") == _ok("digest", f"oci:{tmp_path}/l:v1")
    assert run("tag", f"docker://{host}/a/img:v1", "v7")[0] == 0
    assert digest_of(f"{host}/a/img:v7") == digest_of(f"{host}/a/img:v1")


def test_ls_of_each_transport(host: str, places: dict[str, str]) -> None:
    assert b"v1\n" in _ok("ls", f"docker://{host}/a/img")
    assert _ok("ls", places["oci-no-ref"]) == b"v1\n"
    archive = places["docker-archive"]
    assert _ok("ls", archive) == f"{host}/a/img:v1\n".encode()
    assert _ok("ls", places["oci-archive"].rsplit(":", 1)[0]) == b"v1\n"


def test_tag_in_an_archive_says_what_to_do_instead(places: dict[str, str]) -> None:
    code, out, err = run("tag", places["docker-archive"], "v2")
    assert (code, out) == (1, b"")
    assert err == (
        f"Error: {places['docker-archive']}: tag works on a registry, an OCI layout or the "
        "daemon; to tag in an archive, crane copy it to docker-archive:PATH:NEWREF\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["digest", "oci:{tmp}/nowhere"],
            "oci:{tmp}/nowhere: {tmp}/nowhere does not exist; oci: wants an OCI layout "
            "directory (one with index.json and blobs/)",
        ),
        (
            ["digest", "oci:{tmp}"],
            "{tmp}: no index.json; it is not an OCI image layout (crane pull --format oci "
            "writes one; so do layout.write and skopeo copy ... oci:DIR)",
        ),
        (
            ["digest", "oci:{layout}:nope"],
            "oci:{layout}:nope: the layout has no entry named 'nope' (it has: v1)",
        ),
        (
            ["digest", "docker-archive:{tmp}"],
            "docker-archive:{tmp}: {tmp} is a directory; docker-archive: wants a docker save "
            "tarball",
        ),
        (
            ["copy", "{registry}", "docker-archive:/no/such/dir/out.tar"],
            "docker-archive:/no/such/dir/out.tar: cannot write /no/such/dir/out.tar: directory "
            "/no/such/dir does not exist",
        ),
        (
            ["copy", "{registry}", "oci-archive:/no/such/dir/out.tar"],
            "oci-archive:/no/such/dir/out.tar: cannot write /no/such/dir/out.tar: directory "
            "/no/such/dir does not exist",
        ),
        (
            ["copy", "--referrers", "{registry}", "oci:{tmp}/x"],
            "--referrers copies between registries only; oci:{tmp}/x is not one",
        ),
    ],
    ids=[
        "oci-missing",
        "oci-not-a-layout",
        "oci-no-such-ref",
        "docker-archive-dir",
        "docker-archive-no-parent",
        "oci-archive-no-parent",
        "referrers",
    ],
)
def test_one_line_errors(
    places: dict[str, str], tmp_path: Path, argv: list[str], message: str
) -> None:
    values = {"tmp": str(tmp_path), "layout": places["plain-path"], "registry": places["registry"]}
    code, out, err = run(*[a.format(**values) for a in argv])
    assert (code, out) == (1, b"")
    assert err.splitlines()[-1] == "Error: " + message.format(**values)


def test_skopeo_reads_what_we_write_and_we_read_what_skopeo_writes(
    host: str, tmp_path: Path
) -> None:
    skopeo = shutil.which("skopeo")
    assert skopeo is not None, "skopeo is missing: run tools/services up (it installs it)"
    # skopeo names only OCI-typed entries, so the image is OCI (an empty OCI base).
    _ok(
        "append",
        "--oci-empty-base",
        "-f",
        str(_small_layer(tmp_path)),
        "-t",
        f"oci-archive:{tmp_path}/o.tar:v1",
    )
    ours = _ok("digest", f"oci-archive:{tmp_path}/o.tar:v1").decode().strip()
    raw = subprocess.run(
        [skopeo, "inspect", "--raw", f"oci-archive:{tmp_path}/o.tar:v1"],
        capture_output=True,
        check=True,
    ).stdout
    assert "sha256:" + hashlib.sha256(raw).hexdigest() == ours
    subprocess.run(
        [skopeo, "copy", "--quiet", f"oci-archive:{tmp_path}/o.tar:v1", f"oci:{tmp_path}/sk:v5"],
        check=True,
    )
    assert _ok("digest", f"oci:{tmp_path}/sk:v5").decode().strip() == ours
