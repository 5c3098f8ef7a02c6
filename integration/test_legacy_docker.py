"""The legacy (docker save v1) tarballs we write, loaded by a real Docker daemon."""

from __future__ import annotations

import dataclasses
import json
import pathlib
import subprocess

from containerregistry import legacy, mutate, random
from containerregistry.name import new_tag
from containerregistry.v1 import History, Image


def _run(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, f"{' '.join(args)} failed: {result.stderr}"
    return result.stdout


def _image_with_history(seed: int) -> Image:
    base = random.image(4096, 3, seed=seed)
    config = base.config_file()
    history = tuple(History(created_by=f"step {i}", comment=f"layer {i}") for i in range(3))
    history = (*history[:1], History(created_by="ENV A=1", empty_layer=True), *history[1:])
    return mutate.config_file(base, dataclasses.replace(config, history=history))


def _inspect(docker_cli: str, ref: str) -> dict[str, object]:
    data = json.loads(_run(docker_cli, "image", "inspect", ref))
    assert isinstance(data, list)
    return dict(data[0])


def test_docker_loads_our_legacy_tarball(
    docker_cli: str, daemon_repository: str, tmp_path: pathlib.Path
) -> None:
    img = _image_with_history(seed=11)
    path = tmp_path / "legacy.tar"
    legacy.write_to_file(path, new_tag(f"{daemon_repository}:v1"), img)
    output = _run(docker_cli, "load", "-i", str(path))
    assert f"Loaded image: {daemon_repository}:v1" in output
    inspected = _inspect(docker_cli, f"{daemon_repository}:v1")
    assert inspected["Id"] == str(img.config_name())
    rootfs = inspected["RootFS"]
    assert isinstance(rootfs, dict)
    assert rootfs["Layers"] == [str(layer.diff_id()) for layer in img.layers()]


def test_docker_loads_several_images_from_one_legacy_tarball(
    docker_cli: str, daemon_repository: str, tmp_path: pathlib.Path
) -> None:
    images = {
        new_tag(f"{daemon_repository}:{i}"): random.image(1024, 2, seed=20 + i) for i in range(2)
    }
    path = tmp_path / "multi.tar"
    legacy.multi_write_to_file(path, images)
    _run(docker_cli, "load", "-i", str(path))
    for tag, img in images.items():
        assert _inspect(docker_cli, str(tag))["Id"] == str(img.config_name())
