"""daemon.image: docker save read as a tarball, with each buffering mode."""

from __future__ import annotations

import gc
import glob
import os
import tempfile
from typing import Any

import pytest

from containerregistry import daemon, random


@pytest.mark.parametrize("buffer", ["memory", "file", "none"])
def test_image_reads_the_save(fake_daemon: Any, buffer: daemon.Buffer) -> None:
    img = random.image(2048, 3, seed=1)
    fake_daemon.add("app:1", img)
    back = daemon.image("app:1", buffer=buffer, client=fake_daemon.client())
    assert back.config_name() == img.config_name()
    assert back.raw_config_file() == img.raw_config_file()
    assert [layer.diff_id() for layer in back.layers()] == [
        layer.diff_id() for layer in img.layers()
    ]
    for layer in back.layers():
        with layer.uncompressed() as stream:
            stream.read()
    # Buffered modes save once; unbuffered saves again for every read.
    if buffer == "none":
        assert fake_daemon.save_count > 1
    else:
        assert fake_daemon.save_count == 1


def test_image_accepts_a_docker_client(fake_daemon: Any) -> None:
    import docker

    img = random.image(100, 1, seed=2)
    fake_daemon.add("index.docker.io/library/app:2", img)
    client = docker.DockerClient(base_url=f"tcp://127.0.0.1:{fake_daemon.port}", version="1.41")
    assert daemon.image("app:2", client=client).config_name() == img.config_name()


def test_file_buffer_is_removed_with_the_image(fake_daemon: Any) -> None:
    fake_daemon.add("app:1", random.image(100, 1, seed=3))
    pattern = os.path.join(tempfile.gettempdir(), "containerregistry-daemon-*.tar")
    before = set(glob.glob(pattern))
    img = daemon.image("app:1", buffer="file", client=fake_daemon.client())
    created = set(glob.glob(pattern)) - before
    assert len(created) == 1
    del img
    gc.collect()
    assert not (set(glob.glob(pattern)) & created)


def test_missing_image(fake_daemon: Any) -> None:
    with pytest.raises(daemon.DaemonImageNotFoundError) as caught:
        daemon.image("nothere:1", client=fake_daemon.client())
    message = str(caught.value)
    assert "nothere:1" in message
    assert "pull or load" in message


def test_unknown_buffer_fails_before_talking_to_the_daemon() -> None:
    with pytest.raises(daemon.DaemonOptionError, match="'disk'"):
        daemon.image("app:1", buffer="disk", client=object())  # type: ignore[arg-type]
