"""Writes: HEAD before upload and PUT, mounts, chunks, resume, dedup, indexes, progress."""

from __future__ import annotations

import random
import threading
from typing import Any

import pytest
from remote_testkit import (
    FAST_RETRY,
    BlobLayer,
    MemoryImage,
    MemoryIndex,
    Served,
    random_image,
    random_layer,
    sever,
)

from containerregistry import remote, types
from containerregistry.transport import RegistryError, Retry
from containerregistry.v1 import Hash, Update

OPTS: dict[str, Any] = {"retry": FAST_RETRY}


def _methods(registry: Served, contains: str) -> list[str]:
    return [s.method for s in registry.recorder.requests(contains=contains)]


def test_fresh_push_heads_posts_patches_and_puts(registry: Served) -> None:
    img = random_image(1, layers=2)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    for blob in [*img.layers(), None]:
        digest = str(blob.digest()) if blob is not None else str(img.config_name())
        assert _methods(registry, f"/blobs/{digest}") == ["HEAD"]
        (put,) = [s for s in registry.recorder.requests("PUT") if s.arg("digest") == digest]
        assert put.status == 201
    assert len(registry.recorder.requests("POST", "/blobs/uploads/")) == 3
    assert len(registry.recorder.requests("PATCH")) == 3
    assert _methods(registry, "/manifests/v1") == ["HEAD", "PUT"]
    (put,) = registry.recorder.requests("PUT", "/manifests/")
    assert put.headers["Content-Type"] == img.media_type()
    assert remote.get(registry.ref("app:v1"), **OPTS).raw_manifest() == img.raw


def test_second_push_only_heads(registry: Served) -> None:
    img = random_image(2)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.clear()
    remote.write(registry.ref("app:v1"), img, **OPTS)
    assert {s.method for s in registry.recorder.requests(contains="/v2/app/")} == {"HEAD"}


def test_same_registry_copy_mounts_every_blob(registry: Served) -> None:
    img = random_image(3, layers=3)
    remote.write(registry.ref("src/app:v1"), img, **OPTS)
    registry.recorder.clear()
    # The embedded registry shares blobs between repositories; make dst look empty.
    registry.recorder.fault = lambda environ, _: (
        "not-found"
        if environ["REQUEST_METHOD"] == "HEAD" and "/dst/app/blobs/" in environ["PATH_INFO"]
        else None
    )
    source = remote.image(registry.ref("src/app:v1"), **OPTS)
    remote.write(registry.ref("dst/app:v1"), source, **OPTS)
    posts = registry.recorder.requests("POST")
    assert {(p.arg("from"), p.status) for p in posts} == {("src/app", 201)}
    assert sorted(p.arg("mount") or "" for p in posts) == sorted(
        [str(lay.digest()) for lay in img.layers()] + [str(img.config_name())]
    )
    assert registry.recorder.requests("PATCH") == []
    assert registry.recorder.requests("GET", "/blobs/") == []


def test_cross_registry_copy_streams_and_verifies(registry: Served, other_registry: Served) -> None:
    img = random_image(4, layers=2, size=300_000)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    source = remote.image(registry.ref("app:v1"), **OPTS)
    remote.write(other_registry.ref("copy:v1"), source, **OPTS)
    assert other_registry.recorder.requests("POST", "mount=") == []
    copied = remote.image(other_registry.ref("copy:v1"), **OPTS)
    assert copied.digest() == img.digest()
    for lay in copied.layers():
        with lay.compressed() as stream:
            assert stream.read() == img.layer_by_digest(lay.digest()).blob  # type: ignore[attr-defined]


def _source_image(registry: Served, seed: int, layers: int) -> tuple[Any, Any]:
    """A random image pushed to ``registry`` and the remote image read back from it."""
    img = random_image(seed, layers=layers, size=200_000)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    return img, remote.image(registry.ref("app:v1"), **OPTS)


def test_cross_registry_copy_fetches_each_blob_while_its_upload_opens(
    registry: Served, other_registry: Served
) -> None:
    """The source's GET of a blob is sent before the destination has answered the POST
    that opens its upload: the two round trips overlap instead of following each other."""
    img, source = _source_image(registry, 5, layers=3)
    fetched = threading.Semaphore(0)
    registry.recorder.fault = lambda environ, _: (
        fetched.release() if "/blobs/sha256:" in environ["PATH_INFO"] else None
    )
    overlapped: list[bool] = []

    def hold_post(environ: dict[str, Any], _: object) -> None:
        # The POST waits for a source GET: one that never comes fails the test below
        # (after 10 s) rather than hanging it.
        if environ["REQUEST_METHOD"] == "POST":
            overlapped.append(fetched.acquire(timeout=10))

    other_registry.recorder.fault = hold_post
    remote.write(other_registry.ref("copy:v1"), source, **OPTS)
    assert overlapped == [True] * 4  # three layers and the config
    assert remote.image(other_registry.ref("copy:v1"), **OPTS).digest() == img.digest()


def test_a_failed_post_closes_the_blob_fetched_beside_it(
    registry: Served, other_registry: Served
) -> None:
    _, source = _source_image(registry, 6, layers=1)
    other_registry.recorder.fault = lambda environ, _: (
        "not-found" if environ["REQUEST_METHOD"] == "POST" else None
    )
    with pytest.raises(RegistryError, match="BLOB_UNKNOWN"):
        remote.write(other_registry.ref("copy:v1"), source, **OPTS)
    assert other_registry.recorder.requests("PATCH") == []
    # Every source GET that was sent came back whole or was closed: none is left open
    # on a thread (the process would hold the connection until it exits).
    leftover = [t for t in threading.enumerate() if t.name == "remote-open-source"]
    for thread in leftover:
        thread.join(10)
    assert not any(t.is_alive() for t in leftover)


def test_a_source_blob_that_cannot_be_read_fails_the_copy_once(
    registry: Served, other_registry: Served
) -> None:
    img, source = _source_image(registry, 7, layers=1)
    layer_digest = str(img.layers()[0].digest())
    registry.recorder.fault = lambda environ, _: (
        "not-found"
        if environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].endswith(layer_digest)
        else None
    )
    with pytest.raises(RegistryError, match="BLOB_UNKNOWN"):
        remote.write(other_registry.ref("copy:v1"), source, **OPTS)
    assert other_registry.recorder.requests("PUT", "/manifests/") == []


@pytest.mark.parametrize(
    ("chunk_size", "patches"),
    [
        pytest.param(None, 1, id="one-streamed-patch"),
        pytest.param(100_000, 3, id="three-chunks"),
        pytest.param(250_000, 1, id="chunk-bigger-than-blob"),
        pytest.param(50_000, 5, id="exact-multiple"),
    ],
)
def test_chunked_uploads_send_content_ranges(
    registry: Served, chunk_size: int | None, patches: int
) -> None:
    layer = random_layer(250_000, 5)
    size = layer.size()
    remote.write_layer(registry.repo("app"), layer, chunk_size=chunk_size, **OPTS)  # type: ignore[arg-type]
    seen = registry.recorder.requests("PATCH")
    expected = patches if chunk_size is None else -(-size // chunk_size)
    assert len(seen) == expected
    assert sum(s.body_size for s in seen) == size
    if chunk_size is not None:
        starts = [int(s.headers["Content-Range"].split("-")[0]) for s in seen]
        assert starts == list(range(0, size, chunk_size))


def _fail_patch(number: int, how: str):  # type: ignore[no-untyped-def]
    """A fault hook: the ``number``-th PATCH breaks in way ``how``."""
    count = {"n": 0}

    def fault(environ: dict[str, Any], recorder: Any) -> str | None:
        if environ["REQUEST_METHOD"] != "PATCH":
            return None
        count["n"] += 1
        if count["n"] != number:
            return None
        if how == "half-then-sever":
            length = int(environ["CONTENT_LENGTH"])
            half = length // 2
            first = int((environ.get("HTTP_CONTENT_RANGE") or "0-0").split("-")[0])
            environ["CONTENT_LENGTH"] = str(half)
            environ["HTTP_CONTENT_RANGE"] = f"{first}-{first + half - 1}"
            environ["wsgi.input"].limit = half
            return "sever"
        if how == "forget":
            upload = environ["PATH_INFO"].rsplit("/", 1)[-1]
            recorder.app.uploads.discard(
                recorder.app.uploads.get(environ["PATH_INFO"].split("/")[2], upload)
            )
            sever(environ)
            return None
        return how

    return fault


@pytest.mark.parametrize(
    ("chunk_size", "failing_patch", "how", "resends", "posts"),
    [
        pytest.param(60_000, 2, "sever", 0, 1, id="chunk-stored-then-connection-cut"),
        pytest.param(60_000, 3, "half-then-sever", 0, 1, id="half-a-chunk-stored"),
        pytest.param(None, 1, "half-then-sever", 0, 1, id="streamed-patch-resumes-mid-blob"),
        pytest.param(60_000, 2, "forget", 60_000, 2, id="registry-forgot-the-upload"),
    ],
)
def test_a_broken_upload_resumes_from_the_registry_offset(
    registry: Served, chunk_size: int | None, failing_patch: int, how: str, resends: int, posts: int
) -> None:
    layer = random_layer(200_000, 6)
    registry.recorder.fault = _fail_patch(failing_patch, how)
    remote.write_layer(registry.repo("app"), layer, chunk_size=chunk_size, **OPTS)  # type: ignore[arg-type]
    registry.recorder.fault = None
    status_gets = [
        s for s in registry.recorder.requests("GET", "/blobs/uploads/") if s.status in (204, 404)
    ]
    assert len(status_gets) == 1
    received = sum(s.body_size for s in registry.recorder.requests("PATCH"))
    assert received == layer.size() + resends
    assert len(registry.recorder.requests("POST")) == posts
    got = remote.layer(registry.ref(f"app@{layer.digest()}"), **OPTS)  # type: ignore[arg-type]
    with got.compressed() as stream:
        assert stream.read() == layer.blob


def test_an_upload_that_keeps_breaking_fails_clearly(registry: Served) -> None:
    layer = random_layer(50_000, 7)

    def always(environ: dict[str, Any], recorder: Any) -> str | None:
        return "drop" if environ["REQUEST_METHOD"] == "PATCH" else None

    registry.recorder.fault = always
    with pytest.raises(remote.UploadError, match="failed 3 times"):
        remote.write_layer(registry.repo("app"), layer, **OPTS)


def _patch_429(retry_after: str | None, times: int = 1):  # type: ignore[no-untyped-def]
    """A fault hook: the first ``times`` PATCHes are answered 429 (with ``Retry-After``)."""
    count = {"n": 0}

    def fault(environ: dict[str, Any], recorder: Any) -> str | None:
        if environ["REQUEST_METHOD"] != "PATCH" or count["n"] >= times:
            return None
        count["n"] += 1
        return "429" if retry_after is None else f"429 retry-after={retry_after}"

    return fault


@pytest.mark.parametrize(
    ("chunk_size", "retry_after", "waits"),
    [
        pytest.param(None, "7", [7.0], id="streamed-waits-retry-after"),
        pytest.param(60_000, "7", [7.0], id="chunked-waits-retry-after"),
        pytest.param(None, "0", [0.0], id="retry-after-zero"),
        pytest.param(None, None, [0.5], id="no-header-own-backoff"),
    ],
)
def test_an_upload_answered_429_waits_what_the_registry_asked(
    registry: Served, chunk_size: int | None, retry_after: str | None, waits: list[float]
) -> None:
    layer = random_layer(150_000, 11)
    slept: list[float] = []
    policy = Retry(attempts=3, backoff=0.5, jitter=0.0, sleep=slept.append)
    registry.recorder.fault = _patch_429(retry_after)
    remote.write_layer(registry.repo("app"), layer, chunk_size=chunk_size, retry=policy)
    registry.recorder.fault = None
    assert slept == waits
    assert registry.recorder.requests("PATCH")[0].status == 429
    got = remote.layer(registry.ref(f"app@{layer.digest()}"), **OPTS)  # type: ignore[arg-type]
    with got.compressed() as stream:
        assert stream.read() == layer.blob


def test_an_upload_asked_to_wait_beyond_max_retry_after_fails_at_once(registry: Served) -> None:
    layer = random_layer(50_000, 12)
    slept: list[float] = []
    policy = Retry(attempts=3, max_retry_after=60.0, sleep=slept.append)
    registry.recorder.fault = _patch_429("3600", times=1000)
    with pytest.raises(remote.UploadError, match=r"wait 3600 s.*max_retry_after") as caught:
        remote.write_layer(registry.repo("app"), layer, retry=policy)
    assert isinstance(caught.value.__cause__, RegistryError)
    assert caught.value.__cause__.retry_after == 3600.0
    assert slept == []
    assert len(registry.recorder.requests("PATCH")) == 1
    assert len(registry.recorder.requests("DELETE", "/blobs/uploads/")) == 1


def test_multi_write_sends_each_blob_once(registry: Served) -> None:
    shared = random_layer(10_000, 8)
    one = random_image(9, layers=1)
    two = random_image(10, layers=1)
    one._layers.append(shared)
    two._layers.append(shared)
    one.__init__(one._layers)  # type: ignore[misc]
    two.__init__(two._layers)  # type: ignore[misc]
    remote.multi_write({registry.ref("app:one"): one, registry.ref("app:two"): two}, **OPTS)
    puts = [s.arg("digest") for s in registry.recorder.requests("PUT", "/blobs/uploads/")]
    assert sorted(puts) == sorted(set(puts))
    assert puts.count(str(shared.digest())) == 1
    assert remote.get(registry.ref("app:two"), **OPTS).digest == two.digest()


def test_write_index_puts_children_first(registry: Served) -> None:
    idx = MemoryIndex([(random_image(11), "linux/amd64"), (random_image(12), "linux/arm64")])
    remote.write_index(registry.ref("multi:v1"), idx, **OPTS)
    puts = [s.path.rsplit("/", 1)[-1] for s in registry.recorder.requests("PUT", "/manifests/")]
    assert puts[-1] == "v1"
    assert set(puts[:-1]) == {str(d) for d in idx.images}
    assert remote.get(registry.ref("multi:v1"), **OPTS).digest == idx.digest()


def test_copy_an_index_between_registries(registry: Served, other_registry: Served) -> None:
    arm = random_image(14, platform=("linux", "arm64"))
    idx = MemoryIndex([(random_image(13), "linux/amd64"), (arm, "linux/arm64")])
    remote.write_index(registry.ref("multi:v1"), idx, **OPTS)
    source = remote.index(registry.ref("multi:v1"), **OPTS)
    remote.write_index(other_registry.ref("multi:v1"), source, jobs=2, **OPTS)
    assert remote.get(other_registry.ref("multi:v1"), **OPTS).raw_manifest() == idx.raw
    amd = remote.image(other_registry.ref("multi:v1"), platform="linux/arm64", **OPTS)
    assert amd.config_file().architecture == "arm64"


def test_progress_reaches_the_total(registry: Served) -> None:
    img = random_image(15, layers=3, size=100_000)
    updates: list[Update] = []
    remote.write(registry.ref("app:v1"), img, progress=updates.append, **OPTS)
    total = sum(lay.size() for lay in img.layers()) + len(img.config) + len(img.raw)
    assert updates[-1] == Update(total=total, complete=total)
    completes = [u.complete for u in updates]
    assert completes == sorted(completes)


def test_tag_put_and_delete(registry: Served) -> None:
    img = random_image(16)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    desc = remote.get(registry.ref("app:v1"), **OPTS)
    remote.tag(registry.ref("app:v2"), desc, **OPTS)  # type: ignore[arg-type]
    assert remote.get(registry.ref("app:v2"), **OPTS).digest == img.digest()
    assert sorted(remote.list_tags(registry.repo("app"), **OPTS)) == ["v1", "v2"]
    remote.delete(registry.ref(f"app@{img.digest()}"), **OPTS)
    with pytest.raises(RegistryError) as info:
        remote.get(registry.ref(f"app@{img.digest()}"), **OPTS)
    assert info.value.status == 404


def test_a_corrupt_source_never_becomes_a_blob(registry: Served, other_registry: Served) -> None:
    img = random_image(17, layers=1, size=100_000)
    remote.write(registry.ref("app:v1"), img, **OPTS)
    registry.recorder.rewrite_body = lambda seen, data: (
        data[:-1] + bytes([data[-1] ^ 1]) if "/blobs/" in seen.path and len(data) > 50_000 else data
    )
    source = remote.image(registry.ref("app:v1"), **OPTS)
    from containerregistry.verify import DigestMismatchError

    with pytest.raises(DigestMismatchError):
        remote.write(other_registry.ref("copy:v1"), source, **OPTS)
    assert other_registry.recorder.requests("PUT", "/manifests/") == []
    with pytest.raises(RegistryError):
        remote.get(other_registry.ref("copy:v1"), **OPTS)


class _SourceThatBreaks:
    """A layer whose blob breaks on the network mid-read and cannot be opened again."""

    def __init__(self, layer: Any) -> None:
        self._layer = layer
        self.opened = 0

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._layer, attribute)

    def compressed(self) -> Any:
        from containerregistry.transport import TransportError

        self.opened += 1
        if self.opened > 1:
            raise TransportError("GET source blob: unexpected status code 503")

        class Breaking:
            def read(self, size: int = -1) -> bytes:
                raise TransportError("GET source blob: connection reset by peer")

            def close(self) -> None:
                pass

        return Breaking()


def test_a_source_that_breaks_fails_with_its_own_error(registry: Served) -> None:
    from containerregistry.transport import TransportError

    layer = _SourceThatBreaks(random_layer(10_000, 5))
    with pytest.raises(TransportError, match="connection reset by peer") as info:
        remote.write_layer(registry.ref("app:v1").context, layer, **OPTS)  # type: ignore[arg-type]
    assert type(info.value) is TransportError  # not the uploader's private wrapper
    # The source's own errors are its own: it had its retries (a remote blob resumes
    # with Range), so the upload is cancelled at once and never committed.
    assert layer.opened == 1
    assert registry.recorder.requests("PUT", "/blobs/uploads/") == []


_IMAGE_METHODS = {"config_name", "digest", "manifest", "raw", "raw_config_file", "raw_manifest"}


class _Streamed:
    """An image whose one layer is a stream layer: its config and manifest exist only
    once the layer was read (a MemoryImage built then)."""

    def __init__(self, layer: Any) -> None:
        self._layer = layer
        self._built: MemoryImage | None = None

    def layers(self) -> list[Any]:
        return [self._layer]

    def media_type(self) -> str:
        return types.OCI_MANIFEST_SCHEMA1

    def __getattr__(self, attribute: str) -> Any:
        if attribute not in _IMAGE_METHODS:
            raise AttributeError(attribute)
        if self._built is None:
            self._built = MemoryImage([self._layer])
        return getattr(self._built, attribute)


def test_a_stream_layer_is_gzipped_while_pushed_then_the_manifest_follows(
    registry: Served,
) -> None:
    import gzip
    import io

    from containerregistry import stream

    source = random.Random(3).randbytes(150_000)
    image = _Streamed(stream.Layer(io.BytesIO(source)))
    remote.write(registry.ref("app:v1"), image, **OPTS)  # type: ignore[arg-type]
    layer_patch, config_patch = registry.recorder.requests("PATCH")  # the config after
    layer = image.layers()[0]
    assert layer_patch.body_size == layer.size()  # sent chunked: its size was unknown
    assert config_patch.body_size == len(image.raw_config_file())
    pushed = remote.image(registry.ref("app:v1"), **OPTS)
    assert pushed.raw_manifest() == image.raw
    assert pushed.config_file().rootfs.diff_ids == (Hash.of(source),)
    with pushed.layers()[0].compressed() as blob:
        assert gzip.decompress(blob.read()) == source


@pytest.mark.parametrize("reopen", [True, False], ids=["reopened", "read-once"])
def test_a_stream_layer_upload_the_registry_forgot_starts_over(
    registry: Served, reopen: bool
) -> None:
    import io

    from containerregistry import stream

    source = random.Random(4).randbytes(200_000)
    opened: list[int] = []

    def again() -> io.BytesIO:
        opened.append(1)
        return io.BytesIO(source)

    layer = stream.Layer(io.BytesIO(source), reopen=again if reopen else None)
    registry.recorder.fault = _fail_patch(2, "forget")
    image = _Streamed(layer)
    remote.write(registry.ref("app:v1"), image, chunk_size=60_000, **OPTS)  # type: ignore[arg-type]
    # Reopenable: compressed again from the start, the same bytes. Read once: its
    # bytes were kept in a temporary file as they were read, and sent again from there.
    assert opened == ([1] if reopen else [])
    assert len(registry.recorder.requests("POST", "/blobs/uploads/")) == 3  # layer twice, config
    assert remote.get(registry.ref("app:v1"), **OPTS).raw_manifest() == image.raw
    got = remote.layer(registry.ref(f"app@{layer.digest()}"), **OPTS)  # type: ignore[arg-type]
    with got.compressed() as blob:
        assert Hash.of(blob.read()) == layer.digest()


def _cut_first_patch_after(limit: int):  # type: ignore[no-untyped-def]
    """A fault hook: the registry stores the first PATCH's first ``limit`` bytes,
    then the connection is cut (the answer never arrives)."""
    cut: list[int] = []

    def fault(environ: dict[str, Any], recorder: Any) -> str | None:
        if environ["REQUEST_METHOD"] != "PATCH" or cut:
            return None
        cut.append(limit)
        if environ.get("CONTENT_LENGTH"):
            environ["CONTENT_LENGTH"] = str(limit)
        environ["wsgi.input"].limit = limit
        return "sever"

    return fault


@pytest.mark.parametrize("known_size", [True, False], ids=["known-size", "stream-layer"])
def test_a_resumed_stream_sends_only_what_the_spec_allows(
    registry: Served, known_size: bool
) -> None:
    """The spec's Content-Range is ``<start>-<end>``, inclusive: a stream of known size
    resumes as one chunk with its range, a stream layer (size unknown until its end)
    as a plain streamed PATCH, appended where the registry said it stands."""
    import io

    from containerregistry import stream

    source = random.Random(9).randbytes(200_000)
    layer: Any = BlobLayer(source) if known_size else stream.Layer(io.BytesIO(source))
    registry.recorder.fault = _cut_first_patch_after(50_000)
    if known_size:
        remote.write_layer(registry.repo("app"), layer, **OPTS)
    else:
        remote.write(registry.ref("app:v1"), _Streamed(layer), **OPTS)  # type: ignore[arg-type]
    registry.recorder.fault = None
    cut, resumed = registry.recorder.requests("PATCH")[:2]
    assert "Content-Range" not in cut.headers
    if known_size:
        assert resumed.headers["Content-Range"] == f"50000-{layer.size() - 1}"
    else:
        assert "Content-Range" not in resumed.headers
        assert resumed.headers["Transfer-Encoding"] == "chunked"
    assert resumed.body_size == layer.size() - 50_000
    status_gets = registry.recorder.requests("GET", "/blobs/uploads/")
    assert [s.status for s in status_gets] == [204]
    assert len(registry.recorder.requests("POST", "/blobs/uploads/")) == (1 if known_size else 2)
    got = remote.layer(registry.ref(f"app@{layer.digest()}"), **OPTS)  # type: ignore[arg-type]
    with got.compressed() as blob:
        assert Hash.of(blob.read()) == layer.digest()


def test_a_chunk_refused_for_where_it_starts_resumes_where_the_upload_stands(
    registry: Served,
) -> None:
    """A 416 says the chunk does not continue the upload (here: an earlier try of it
    landed, its answer lost): the spec's client asks where it stands and goes on."""
    layer = random_layer(200_000, 10)
    landed: list[str] = []

    def fault(environ: dict[str, Any], recorder: Any) -> str | None:
        if environ["REQUEST_METHOD"] != "PATCH" or landed:
            return None
        first, last = (int(n) for n in environ["HTTP_CONTENT_RANGE"].split("-"))
        if first == 0:
            return None
        path = environ["PATH_INFO"].split("/")  # /v2/app/blobs/uploads/<id>
        session = recorder.app.uploads.get(path[2], path[-1])
        session.append([layer.blob[first : last + 1]])
        landed.append(environ["HTTP_CONTENT_RANGE"])
        return None  # the registry itself answers this PATCH

    registry.recorder.fault = fault
    remote.write_layer(registry.repo("app"), layer, chunk_size=60_000, **OPTS)
    registry.recorder.fault = None
    assert landed == ["60000-119999"]
    patches = registry.recorder.requests("PATCH")
    assert [(p.headers["Content-Range"], p.status) for p in patches] == [
        ("0-59999", 202),
        ("60000-119999", 416),
        ("120000-179999", 202),
        (f"180000-{layer.size() - 1}", 202),
    ]
    assert [s.status for s in registry.recorder.requests("GET", "/blobs/uploads/")] == [204]
    got = remote.layer(registry.ref(f"app@{layer.digest()}"), **OPTS)  # type: ignore[arg-type]
    with got.compressed() as blob:
        assert blob.read() == layer.blob


class _Endless(BlobLayer):
    """Declares 64 MiB and streams zeros slowly, counting reads in ``log``; its own
    ``signal_at``-th read (if any) sends this process a SIGINT, as a Ctrl-C would."""

    def __init__(self, seed: bytes, log: list[int], signal_at: int | None = None) -> None:
        super().__init__(seed)
        self._log, self._signal_at = log, signal_at

    def size(self) -> int:
        return 64 << 20

    def compressed(self) -> Any:
        import io
        import os
        import signal
        import time

        log, signal_at = self._log, self._signal_at

        class Zeros(io.RawIOBase):
            def readable(self) -> bool:
                return True

            own = 0

            def readinto(self, buffer: Any) -> int:
                self.own += 1
                log.append(1)
                if self.own == signal_at:
                    os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.01)  # a slow disk
                buffer[:] = bytes(len(buffer))
                return len(buffer)

        return Zeros()


def test_an_interrupted_push_stops_every_upload_and_tags_nothing(registry: Served) -> None:
    reads: list[int] = []
    image = MemoryImage([_Endless(b"a", reads, signal_at=4), _Endless(b"b", reads)])
    with pytest.raises(KeyboardInterrupt):
        remote.write(registry.ref("stopped:v1"), image, **OPTS)
    assert len(reads) < 16  # both stopped long before their 64 reads each
    assert _methods(registry, "/manifests/") == []


def test_a_failing_upload_stops_the_others(registry: Served) -> None:
    class Broken(BlobLayer):
        def compressed(self) -> Any:
            raise OSError("disk read error")

    reads: list[int] = []
    updates: list[Update] = []
    image = MemoryImage([_Endless(b"a", reads), Broken(b"x")])
    with pytest.raises(OSError, match="disk read error"):
        remote.write(registry.ref("failed:v1"), image, progress=updates.append, **OPTS)
    assert len(reads) < 16
    # The failure is what progress reports, not the upload it stopped.
    assert [type(u.error) for u in updates if u.error is not None] == [OSError]
    assert _methods(registry, "/manifests/") == []
