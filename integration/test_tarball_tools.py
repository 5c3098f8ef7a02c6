"""Our tarballs against docker load/save and skopeo's docker-archive transport."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import uuid
from pathlib import Path

import pytest

from containerregistry import layout, match, tarball
from containerregistry.archive import TarWriter
from containerregistry.name import new_tag
from containerregistry.v1 import Config, ConfigFile, Hash, History, RootFS, Time


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{command} failed: {result.stderr}"
    return result


def _layer_tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with TarWriter(out) as writer:
        for name, data in files.items():
            writer.add_file(name, data, mode=0o755)
    return out.getvalue()


def saved_image(directory: Path) -> tarball.TarballImage:
    """A real image read from a hand-made docker save (v1) tarball with two layers."""
    tars = [
        _layer_tar({"hello.txt": b"hello from containerregistry\n"}),
        _layer_tar({"etc/motd": uuid.uuid4().hex.encode()}),
    ]
    config = ConfigFile(
        architecture="amd64",
        os="linux",
        created=Time.parse("2024-01-02T03:04:05Z"),
        history=tuple(History(created_by=f"layer {i}") for i in range(len(tars))),
        rootfs=RootFS(diff_ids=tuple(Hash.of(t) for t in tars)),
        config=Config(cmd=("/hello",), env=("PATH=/",)),
    ).to_json()
    names = [f"{Hash.of(t).hex}/layer.tar" for t in tars]
    out = io.BytesIO()
    with TarWriter(out) as writer:
        writer.add_file(f"{Hash.of(config).hex}.json", config)
        for name, data in zip(names, tars, strict=True):
            writer.add_file(name, data)
        manifest = [{"Config": f"{Hash.of(config).hex}.json", "RepoTags": None, "Layers": names}]
        writer.add_file("manifest.json", json.dumps(manifest).encode())
    path = directory / "saved.tar"
    path.write_bytes(out.getvalue())
    return tarball.image_from_path(path)


@pytest.fixture
def unique_tag() -> str:
    return f"localhost/cr-it/tarball:{uuid.uuid4().hex[:12]}"


def test_docker_load_shows_our_config_digest(
    docker_cli: str, tmp_path: Path, unique_tag: str
) -> None:
    image = saved_image(tmp_path)
    ours = tmp_path / "ours.tar"
    tarball.write_to_file(ours, new_tag(unique_tag), image)
    try:
        _run(docker_cli, "load", "-i", str(ours))
        image_id = _run(docker_cli, "image", "inspect", "--format", "{{.Id}}", unique_tag)
        assert image_id.stdout.strip() == str(image.config_name())
        # And what docker saves, we read back with the same config and diff_ids.
        saved = tmp_path / "docker-save.tar"
        _run(docker_cli, "save", "-o", str(saved), unique_tag)
        back = tarball.image_from_path(saved, tag=unique_tag)
        assert back.config_name() == image.config_name()
        assert [layer.diff_id() for layer in back.layers()] == [
            layer.diff_id() for layer in image.layers()
        ]
        for layer in back.layers():
            with layer.uncompressed() as stream:
                assert Hash.of_stream(stream)[0] == layer.diff_id()
    finally:
        subprocess.run([docker_cli, "rmi", "-f", unique_tag], capture_output=True, check=False)


def test_skopeo_reads_our_tarball(skopeo: str, tmp_path: Path, unique_tag: str) -> None:
    image = saved_image(tmp_path)
    ours = tmp_path / "ours.tar"
    tarball.write_to_file(ours, new_tag(unique_tag), image)
    raw_config = _run(skopeo, "inspect", "--config", "--raw", f"docker-archive:{ours}").stdout
    assert hashlib.sha256(raw_config.encode()).hexdigest() == image.config_name().hex
    raw_manifest = _run(skopeo, "inspect", "--raw", f"docker-archive:{ours}").stdout
    layers = json.loads(raw_manifest)["layers"]
    # skopeo's docker-archive source lists layers by their uncompressed digest.
    assert [entry["digest"] for entry in layers] == [str(la.diff_id()) for la in image.layers()]
    # skopeo copies it into a layout that we read back.
    _run(skopeo, "copy", f"docker-archive:{ours}", f"oci:{tmp_path / 'oci'}:copied")
    index = layout.image_index_from_path(tmp_path / "oci")
    (descriptor,) = [d for d in index.index_manifest().manifests or () if match.name("copied")(d)]
    copied = index.image(descriptor.digest)
    assert [la.diff_id() for la in copied.layers()] == [la.diff_id() for la in image.layers()]


def test_we_read_skopeo_docker_archive(skopeo: str, tmp_path: Path) -> None:
    image = saved_image(tmp_path)
    ours = tmp_path / "ours.tar"
    tarball.write_to_file(ours, new_tag("reg.example/it:src"), image)
    archive = tmp_path / "skopeo.tar"
    _run(skopeo, "copy", f"docker-archive:{ours}", f"docker-archive:{archive}:reg.example/it:v1")
    back = tarball.image_from_path(archive, tag="reg.example/it:v1")
    assert back.config_name() == image.config_name()
    assert [layer.diff_id() for layer in back.layers()] == [
        layer.diff_id() for layer in image.layers()
    ]
    for layer in back.layers():
        with layer.compressed() as stream:
            assert Hash.of_stream(stream) == (layer.digest(), layer.size())
