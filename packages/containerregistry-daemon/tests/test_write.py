"""daemon.write and daemon.tag against the fake Engine API."""

from __future__ import annotations

import io
from typing import Any

import pytest

from containerregistry import daemon, random, tarball
from containerregistry.errors import ContainerRegistryError
from containerregistry.name import new_tag
from containerregistry.v1 import Image, Layer


def test_write_streams_the_tarball_into_load(fake_daemon: Any) -> None:
    img = random.image(3 << 20, 2, seed=4)  # several 1 MiB pieces
    reply = daemon.write("app:1", img, client=fake_daemon.client())
    assert reply == "Loaded image: app:1\n"
    want = io.BytesIO()
    tarball.write(new_tag("app:1"), img, want)
    assert fake_daemon.loaded == [want.getvalue()]
    assert fake_daemon.tagged == []


def test_write_only_tags_an_image_the_daemon_has(fake_daemon: Any) -> None:
    img = random.image(100, 1, seed=5)
    fake_daemon.add("old:1", img)
    assert daemon.write("reg.example:5000/new/app", img, client=fake_daemon.client()) == ""
    assert fake_daemon.loaded == []
    assert fake_daemon.tagged == [
        (str(img.config_name()), "reg.example:5000/new/app", "latest"),
    ]


def test_load_error_in_the_reply(fake_daemon: Any) -> None:
    fake_daemon.load_reply = [{"errorDetail": {"message": "no space left"}, "error": "x"}]
    with pytest.raises(daemon.DaemonError, match="rejected the tarball: no space left"):
        daemon.write("app:1", random.image(100, 1, seed=6), client=fake_daemon.client())


def test_load_refused_with_a_status(fake_daemon: Any) -> None:
    fake_daemon.load_status = 500
    fake_daemon.load_reply = [{"message": "storage driver is broken"}]
    with pytest.raises(daemon.DaemonError, match="answered 500: storage driver is broken"):
        daemon.write("app:1", random.image(100, 1, seed=6), client=fake_daemon.client())


class _BrokenImage:
    """An image whose second layer cannot be read."""

    def __init__(self, inner: Image) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def layers(self) -> list[Layer]:
        good, bad = self._inner.layers()

        class Bad:
            def __getattr__(self, name: str) -> Any:
                return getattr(bad, name)

            def compressed(self) -> Any:
                raise tarball.TarballError("layer blob vanished")

        return [good, Bad()]  # type: ignore[list-item]


def test_a_failing_image_stops_the_load_with_its_own_error(fake_daemon: Any) -> None:
    img = _BrokenImage(random.image(2 << 20, 2, seed=7))
    with pytest.raises(ContainerRegistryError, match="layer blob vanished"):
        daemon.write("app:1", img, client=fake_daemon.client())  # type: ignore[arg-type]
    # The daemon got a cut-off tarball, which it would reject: manifest.json comes last.
    assert len(fake_daemon.loaded) == 1
    assert b"manifest.json" not in fake_daemon.loaded[0]


def test_tag(fake_daemon: Any) -> None:
    fake_daemon.add("app:1", random.image(100, 1, seed=8))
    daemon.tag("app:1", "other/app:2", client=fake_daemon.client())
    assert fake_daemon.tagged == [
        ("index.docker.io/library/app:1", "index.docker.io/other/app", "2"),
    ]


def test_tag_of_a_missing_image(fake_daemon: Any) -> None:
    with pytest.raises(daemon.DaemonImageNotFoundError, match="cannot tag image gone:1"):
        daemon.tag("gone:1", "other:2", client=fake_daemon.client())
