"""gs:// layouts against gcp-storage-emulator (generation preconditions enforced)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from gcs_testkit import PreconditionProxy, storage_emulator

from containerregistry import layout, random
from containerregistry.layout import _gcs
from containerregistry.v1 import Hash

BUCKET = "layouts"


@pytest.fixture(scope="module")
def emulator() -> Iterator[PreconditionProxy]:
    with storage_emulator() as proxy:
        yield proxy


@pytest.fixture
def gcs(emulator: PreconditionProxy, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A storage client on the emulator with an empty bucket."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    client = _gcs.default_client()
    bucket = client.bucket(BUCKET)
    if not bucket.exists():
        client.create_bucket(BUCKET)
    for blob in client.list_blobs(BUCKET):
        blob.delete()
    emulator.rejected = 0
    emulator.uploads.clear()
    return client


@pytest.mark.parametrize(
    ("path", "bucket", "prefix"),
    [
        pytest.param("gs://b", "b", "", id="root"),
        pytest.param("gs://b/", "b", "", id="root-slash"),
        pytest.param("gs://b/x/y/", "b", "x/y", id="nested"),
    ],
)
def test_split_gcs_path(path: str, bucket: str, prefix: str) -> None:
    assert layout.is_gcs_path(path)
    assert layout.split_gcs_path(path) == (bucket, prefix)


@pytest.mark.parametrize("path", ["gs://", "/tmp/x", "gs:/b"])
def test_bad_gcs_paths(path: str) -> None:
    with pytest.raises(layout.LayoutError):
        layout.split_gcs_path(path)


def test_write_and_read_back(gcs: Any) -> None:
    index = random.index(256, 2, 2, seed=7)
    layout.write_gcs(f"gs://{BUCKET}/one", index)
    objects = {b.name for b in gcs.list_blobs(BUCKET, prefix="one/")}
    assert {"one/oci-layout", "one/index.json"} <= objects
    assert gcs.bucket(BUCKET).blob("one/oci-layout").download_as_bytes() == (
        b'{\n    "imageLayoutVersion": "1.0.0"\n}'
    )
    read = layout.gcs_layout(f"gs://{BUCKET}/one").image_index()
    assert read.raw_manifest() == index.raw_manifest()
    for child in index.index_manifest().manifests or ():
        image = read.image(child.digest)
        assert image.digest() == child.digest
        for theirs, ours in zip(index.image(child.digest).layers(), image.layers(), strict=True):
            with ours.compressed() as stream:
                assert Hash.of(stream.read()) == theirs.digest()


def test_append_uploads_blobs_once(gcs: Any, emulator: PreconditionProxy) -> None:
    image = random.image(512, 3, seed=1)
    target = layout.gcs_layout(f"gs://{BUCKET}/app", create=True)
    target.append_image(image)
    first = [n for n in emulator.uploads if "/blobs/" in n]
    assert len(first) == 5  # three layers, the config and the manifest
    emulator.uploads.clear()
    target.append_image(image, annotations={"org.opencontainers.image.ref.name": "v2"})
    assert [n for n in emulator.uploads if "/blobs/" in n] == []
    entries = target.image_index().index_manifest().manifests or ()
    assert [d.digest for d in entries] == [image.digest(), image.digest()]
    raw = gcs.bucket(BUCKET).blob("app/index.json").download_as_bytes()
    assert raw.startswith(b'{\n   "schemaVersion": 2')  # ggcr's three-space indent


def test_concurrent_appends_lose_nothing(gcs: Any, emulator: PreconditionProxy) -> None:
    layout.gcs_layout(f"gs://{BUCKET}/race", create=True)
    images = [random.image(64, 1, seed=100 + i) for i in range(8)]
    errors: list[BaseException] = []

    def writer(mine: list[Any]) -> None:
        # Each writer has its own client, as separate processes would.
        target = layout.GcsLayout(f"gs://{BUCKET}/race", client=_gcs.default_client())
        try:
            for image in mine:
                target.append_image(image)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(images[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = layout.gcs_layout(f"gs://{BUCKET}/race").image_index().index_manifest().manifests
    assert sorted(str(d.digest) for d in entries or ()) == sorted(str(i.digest()) for i in images)


def test_a_stale_generation_is_refused(gcs: Any) -> None:
    """The emulator setup answers 412 as GCS does (what the index update relies on)."""
    from google.api_core.exceptions import PreconditionFailed

    blob = gcs.bucket(BUCKET).blob("stale")
    blob.upload_from_string(b"1")
    generation = gcs.bucket(BUCKET).get_blob("stale").generation
    blob.upload_from_string(b"2", if_generation_match=generation)
    with pytest.raises(PreconditionFailed):
        blob.upload_from_string(b"3", if_generation_match=generation)


def test_missing_layout_and_blob(gcs: Any) -> None:
    with pytest.raises(layout.InvalidLayoutError, match=r"no index\.json"):
        layout.gcs_layout(f"gs://{BUCKET}/nothing")
    target = layout.gcs_layout(f"gs://{BUCKET}/holes", create=True)
    image = random.image(64, 1, seed=3)
    target.append_image(image)
    target.remove_blob(image.layers()[0].digest())
    with pytest.raises(
        layout.BlobNotFoundError, match=r"gs://layouts/holes/blobs/sha256/[0-9a-f]+"
    ):
        target.image(image.digest()).layers()[0].compressed()


def test_garbage_collect(gcs: Any) -> None:
    target = layout.gcs_layout(f"gs://{BUCKET}/gc", create=True)
    keep, drop = random.image(64, 1, seed=4), random.image(64, 1, seed=5)
    target.append_image(keep)
    target.append_image(drop)
    target.remove_descriptors(lambda d: d.digest == drop.digest())
    garbage = target.garbage_collect(remove=True)
    assert drop.digest() in garbage
    assert keep.digest() not in garbage
    assert target.garbage_collect() == []
    assert target.image(keep.digest()).digest() == keep.digest()


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda path: layout.gcs_layout(path), id="open"),
        pytest.param(lambda path: layout.gcs_layout(path, create=True), id="create"),
        pytest.param(lambda path: layout.GcsLayout(path).image_index(), id="read-index"),
        pytest.param(
            lambda path: layout.write_gcs(path, random.index(64, 1, 1, seed=6)), id="write"
        ),
    ],
)
def test_a_missing_bucket_is_named(gcs: Any, call: Any) -> None:
    with pytest.raises(layout.LayoutError) as raised:
        call(f"gs://{BUCKET}-absent/app")
    assert str(raised.value) == (
        f"gs://{BUCKET}-absent/app: bucket {BUCKET}-absent does not exist; create it first "
        "or correct the gs://bucket/prefix path"
    )
    assert not gcs.bucket(f"{BUCKET}-absent").exists()
