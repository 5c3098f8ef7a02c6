"""Progress: crane's stderr lines on the progress logger, Update totals, concurrent planning."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest
from remote_testkit import FAST_RETRY, MemoryIndex, Served, random_image

from containerregistry import remote
from containerregistry.v1 import Update

OPTS: dict[str, Any] = {"retry": FAST_RETRY}


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "containerregistry.progress"]


def test_fresh_push_logs_pushed_blobs_then_the_manifest(
    registry: Served, caplog: pytest.LogCaptureFixture
) -> None:
    img = random_image(11, layers=2)
    caplog.set_level(logging.INFO, logger="containerregistry.progress")
    remote.write(registry.ref("app:v1"), img, **OPTS)
    blobs = sorted([str(layer.digest()) for layer in img.layers()] + [str(img.config_name())])
    lines = _lines(caplog)
    assert sorted(lines[:-1]) == sorted(f"pushed blob: {d}" for d in blobs)
    assert lines[-1] == f"{registry.host}/app:v1: digest: {img.digest()} size: {img.size()}"


def test_second_push_logs_existing_blobs_and_no_manifest(
    registry: Served, caplog: pytest.LogCaptureFixture
) -> None:
    img = random_image(12, layers=1)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    caplog.set_level(logging.INFO, logger="containerregistry.progress")
    remote.write(registry.ref("app:v1"), img, **OPTS)
    blobs = sorted([str(layer.digest()) for layer in img.layers()] + [str(img.config_name())])
    assert sorted(_lines(caplog)) == [f"existing blob: {d}" for d in blobs]


def test_same_registry_copy_logs_mounted_blobs(
    registry: Served, caplog: pytest.LogCaptureFixture
) -> None:
    img = random_image(13, layers=2)
    remote.write(registry.ref("src/app:v1"), img, **OPTS)
    registry.recorder.fault = lambda environ, _: (
        "not-found"
        if environ["REQUEST_METHOD"] == "HEAD" and "/dst/app/blobs/" in environ["PATH_INFO"]
        else None
    )
    caplog.set_level(logging.INFO, logger="containerregistry.progress")
    remote.write(registry.ref("dst/app:v1"), remote.image(registry.ref("src/app:v1"), **OPTS))
    lines = _lines(caplog)
    assert sum(line.startswith("mounted blob: sha256:") for line in lines) == 3
    assert lines[-1].startswith(f"{registry.host}/dst/app:v1: digest: {img.digest()}")


def test_index_children_are_logged_by_digest_reference(
    registry: Served, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = random_image(14, layers=1), random_image(15, layers=1)
    idx = MemoryIndex([(a, "linux/amd64"), (b, "linux/arm64")])
    caplog.set_level(logging.INFO, logger="containerregistry.progress")
    remote.write_index(registry.ref("multi:v1"), idx, **OPTS)
    manifests = [line for line in _lines(caplog) if ": digest: " in line]
    assert manifests == [
        f"{registry.host}/multi@{a.digest()}: digest: {a.digest()} size: {a.size()}",
        f"{registry.host}/multi@{b.digest()}: digest: {b.digest()} size: {b.size()}",
        f"{registry.host}/multi:v1: digest: {idx.digest()} size: {idx.size()}",
    ]


def test_updates_end_complete(registry: Served) -> None:
    updates: list[Update] = []
    img = random_image(16, layers=2)
    remote.write(registry.ref("app:v1"), img, progress=updates.append, **OPTS)
    assert updates[-1].complete == updates[-1].total > 0


class _SlowIndex(MemoryIndex):
    """Each child takes a while to open, like a GET of its manifest; counts overlap."""

    def __init__(self, images: list[tuple[Any, str]]) -> None:
        super().__init__(images)
        self.lock = threading.Lock()
        self.open_now = 0
        self.most_at_once = 0

    def image(self, digest: Any) -> Any:
        with self.lock:
            self.open_now += 1
            self.most_at_once = max(self.most_at_once, self.open_now)
        time.sleep(0.05)
        with self.lock:
            self.open_now -= 1
        return super().image(digest)


@pytest.mark.parametrize(("jobs", "expected"), [(1, 1), (2, 2), (4, 3)], ids=["j1", "j2", "j4"])
def test_index_children_are_opened_concurrently_up_to_jobs(
    registry: Served, jobs: int, expected: int
) -> None:
    images = [(random_image(20 + i, layers=1), f"linux/arch{i}") for i in range(3)]
    idx = _SlowIndex(images)
    remote.write_index(registry.ref(f"slow:j{jobs}"), idx, jobs=jobs, **OPTS)
    assert idx.most_at_once == expected
    pushed = remote.index(registry.ref(f"slow:j{jobs}"), **OPTS)
    assert pushed.raw_manifest() == idx.raw
