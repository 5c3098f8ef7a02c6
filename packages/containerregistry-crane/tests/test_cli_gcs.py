"""``gs://bucket/prefix`` layouts through the crane CLI: ``pull --format oci``, ``push``
and ``index append|filter|list``, on gcp-storage-emulator (a front enforces the
generation preconditions GCS enforces) and the embedded registry (``host``)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from crane_gcs_testkit import FakeGcs, fake_gcs
from crane_testkit import digest_of, run

from containerregistry import layout, name, random, remote
from containerregistry.v1 import Hash

REF_NAME = "org.opencontainers.image.ref.name"
DOCKER_IMAGE = "application/vnd.docker.distribution.manifest.v2+json"
_buckets = itertools.count(1)


@pytest.fixture(scope="module")
def gcs() -> Iterator[FakeGcs]:
    with fake_gcs() as front:
        yield front


@pytest.fixture
def client(gcs: FakeGcs, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A storage client of the emulator; the CLI run in this process finds it too."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.url)
    return storage.Client(project="crane-tests", credentials=AnonymousCredentials())


@pytest.fixture
def bucket(client: Any) -> str:
    """A new, empty bucket."""
    bucket_name = f"crane-cli-{next(_buckets)}"
    client.create_bucket(bucket_name)
    return bucket_name


def objects(client: Any, bucket: str, prefix: str) -> dict[str, bytes]:
    """Every object under ``prefix/``, by its name inside the layout."""
    return {
        blob.name[len(prefix) + 1 :]: blob.download_as_bytes()
        for blob in client.list_blobs(bucket, prefix=f"{prefix}/")
    }


def files(root: str) -> dict[str, bytes]:
    """Every file under the directory ``root``, by its relative path."""
    found = {}
    for folder, _, names in os.walk(root):
        for file_name in names:
            path = os.path.join(folder, file_name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, root).replace(os.sep, "/")] = handle.read()
    return found


def blob_uploads(gcs: FakeGcs, bucket: str, prefix: str) -> list[str]:
    """The blob objects of the layout uploaded so far (one name per upload)."""
    start = f"{bucket}/{prefix}/blobs/"
    return [upload for upload in gcs.uploads if upload.startswith(start)]


def child_digest(ref: str, position: int) -> str:
    """The digest of the index ``ref``'s child at ``position``."""
    children = remote.get(name.parse_reference(ref)).image_index().index_manifest().manifests
    return str((children or ())[position].digest)


def exists(ref: str) -> bool:
    """Whether the registry has ``ref`` (``crane digest`` finds it)."""
    return run("digest", ref)[0] == 0


def entries(path: str) -> list[tuple[str, str | None]]:
    """(digest, ref name) of every entry of the layout at ``path``, read by our reader."""
    manifests = layout.gcs_layout(path).image_index().index_manifest().manifests or ()
    return [(str(d.digest), (d.annotations or {}).get(REF_NAME)) for d in manifests]


# -- pull --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "repo", ["a/img:v1", "a/idx:v1", "a/plat:v1"], ids=["image", "index", "platforms"]
)
def test_pull_writes_what_a_local_pull_writes(
    host: str, bucket: str, client: Any, gcs: FakeGcs, tmp_path: Any, repo: str
) -> None:
    ref = f"{host}/{repo}"
    assert run("pull", "--format", "oci", ref, f"gs://{bucket}/pulled") == (0, b"", "")
    assert run("pull", "--format", "oci", ref, f"{tmp_path}/local") == (0, b"", "")

    in_bucket = objects(client, bucket, "pulled")
    assert in_bucket == files(f"{tmp_path}/local")  # byte for byte, index.json included
    assert entries(f"gs://{bucket}/pulled") == [(digest_of(ref), None)]
    uploaded = blob_uploads(gcs, bucket, "pulled")
    assert sorted(uploaded) == sorted(f"{bucket}/pulled/{n}" for n in in_bucket if "blobs/" in n)

    # Our reader verifies every blob against its digest while reading it back.
    read = layout.gcs_layout(f"gs://{bucket}/pulled")
    for blob_name in in_bucket:
        if blob_name.startswith("blobs/"):
            digest = Hash.parse(blob_name[len("blobs/") :].replace("/", ":"))
            assert read.bytes(digest) == in_bucket[blob_name]


def test_pull_again_uploads_no_blob_and_adds_no_entry(host: str, bucket: str, gcs: FakeGcs) -> None:
    path = f"gs://{bucket}/again"
    assert run("pull", "--format", "oci", f"{host}/a/idx:v1", path)[0] == 0
    before = list(blob_uploads(gcs, bucket, "again"))
    assert run("pull", "--format", "oci", f"{host}/a/idx:v1", path) == (0, b"", "")
    assert blob_uploads(gcs, bucket, "again") == before
    assert entries(path) == [(digest_of(f"{host}/a/idx:v1"), None)]


def test_pull_several_refs_into_one_layout_uploads_shared_blobs_once(
    host: str, bucket: str, client: Any, gcs: FakeGcs
) -> None:
    amd64 = f"{host}/a/plat@{child_digest(f'{host}/a/plat:v1', 0)}"
    path = f"gs://{bucket}/shared"
    argv = ["pull", "--format", "oci", "--annotate-ref", f"{host}/a/img:v1", f"{host}/a/plat:v1"]
    assert run(*argv, path) == (0, b"", "")
    # The amd64 image is inside a/plat:v1: its blobs are there already.
    assert run("pull", "--format", "oci", "--annotate-ref", amd64, path) == (0, b"", "")

    assert entries(path) == [
        (digest_of(f"{host}/a/img:v1"), f"{host}/a/img:v1"),
        (digest_of(f"{host}/a/plat:v1"), f"{host}/a/plat:v1"),
        (digest_of(amd64), amd64),
    ]
    uploaded = blob_uploads(gcs, bucket, "shared")
    assert len(uploaded) == len(set(uploaded))
    stored = {n for n in objects(client, bucket, "shared") if n.startswith("blobs/")}
    assert {u[len(f"{bucket}/shared/") :] for u in uploaded} == stored


def test_pull_into_the_bucket_root(host: str, bucket: str, client: Any) -> None:
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", f"gs://{bucket}") == (0, b"", "")
    names = {blob.name for blob in client.list_blobs(bucket)}
    assert {"oci-layout", "index.json"} <= names
    assert entries(f"gs://{bucket}/") == [(digest_of(f"{host}/a/img:v1"), None)]


def test_concurrent_pulls_lose_no_entry(
    host: str, bucket: str, gcs: FakeGcs, tmp_path: Any
) -> None:
    refs = []
    for seed in range(12):
        ref = f"{host}/race/img:t{seed}"
        remote.write(name.parse_reference(ref), random.image(128, 1, seed=40 + seed))
        refs.append(ref)
    path = f"gs://{bucket}/race"  # missing: both processes also race to create it
    env = {**os.environ, "STORAGE_EMULATOR_HOST": gcs.url, "DOCKER_CONFIG": f"{tmp_path}"}
    command = [sys.executable, "-m", "containerregistry.crane.cli", "pull", "--format", "oci"]
    processes = [
        subprocess.Popen(
            [*command, "--annotate-ref", *refs[i::2], path],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in range(2)
    ]
    for process in processes:
        out, err = process.communicate(timeout=300)
        assert (process.returncode, out, err) == (0, b"", b"")
    assert sorted(entries(path)) == sorted((digest_of(ref), ref) for ref in refs)


# -- push --------------------------------------------------------------------------


@pytest.mark.parametrize("repo", ["a/img:v1", "a/idx:v1"], ids=["image", "index"])
def test_push_a_one_entry_layout_pushes_that_entry(host: str, bucket: str, repo: str) -> None:
    path = f"gs://{bucket}/one"
    assert run("pull", "--format", "oci", f"{host}/{repo}", path)[0] == 0
    ((digest, _),) = entries(path)
    code, out, _ = run("push", path, f"{host}/from-gcs/one:v1")
    assert (code, out) == (0, f"{host}/from-gcs/one@{digest}\n".encode())
    assert digest_of(f"{host}/from-gcs/one:v1") == digest == digest_of(f"{host}/{repo}")


def test_push_a_several_entry_layout_needs_index(host: str, bucket: str, tmp_path: Any) -> None:
    path = f"gs://{bucket}/many"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", f"{host}/a/idx:v1", path)[0] == 0
    code, out, err = run("push", path, f"{host}/from-gcs/many:v1")
    assert (code, out, err) == (1, b"", "Error: layout contains 2 entries, consider --index\n")
    assert not exists(f"{host}/from-gcs/many:v1")

    refs = f"{tmp_path}/refs"
    code, out, _ = run("push", "--index", "--image-refs", refs, path, f"{host}/from-gcs/many:v1")
    whole = layout.gcs_layout(path).image_index().digest()
    assert (code, out) == (0, f"{host}/from-gcs/many@{whole}\n".encode())
    assert digest_of(f"{host}/from-gcs/many:v1") == str(whole)
    pushed = remote.get(name.parse_reference(f"{host}/from-gcs/many:v1")).image_index()
    assert [str(d.digest) for d in pushed.index_manifest().manifests or ()] == [
        digest_of(f"{host}/a/img:v1"),
        digest_of(f"{host}/a/idx:v1"),
    ]
    with open(refs, "rb") as handle:
        assert handle.read() == f"{host}/from-gcs/many@{whole}".encode()


# -- index -------------------------------------------------------------------------


def test_index_list_shows_what_the_registry_index_shows(host: str, bucket: str) -> None:
    path = f"gs://{bucket}/plat"
    assert run("pull", "--format", "oci", f"{host}/a/plat:v1", path)[0] == 0
    listed = run("index", "list", path)
    assert listed == run("index", "list", f"{host}/a/plat:v1")
    assert listed[1].decode().splitlines() == [
        f"{'Digest':<70} {'MediaType':<20} Platform",
        f"{child_digest(f'{host}/a/plat:v1', 0)} {DOCKER_IMAGE} linux/amd64",
        f"{child_digest(f'{host}/a/plat:v1', 1)} {DOCKER_IMAGE} linux/arm64",
    ]


def test_index_list_of_a_several_entry_layout_lists_its_entries(host: str, bucket: str) -> None:
    path = f"gs://{bucket}/two"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", f"{host}/a/plat:v1", path)[0] == 0
    code, out, err = run("index", "list", path)
    assert (code, err) == (0, "")
    assert [line.split()[0] for line in out.decode().splitlines()[1:]] == [
        digest_of(f"{host}/a/img:v1"),
        digest_of(f"{host}/a/plat:v1"),
    ]


def test_index_append_to_a_layout_index(host: str, bucket: str) -> None:
    path = f"gs://{bucket}/base"
    assert run("pull", "--format", "oci", f"{host}/a/idx:v1", path)[0] == 0
    code, out, _ = run(
        "index", "append", path, "-t", f"{host}/appended:gcs", "-m", f"{host}/a/img:v1"
    )
    # The same as appending to the registry's copy of the index.
    same = run(
        "index",
        "append",
        f"{host}/a/idx:v1",
        "-t",
        f"{host}/appended:ref",
        "-m",
        f"{host}/a/img:v1",
    )
    digest = digest_of(f"{host}/appended:gcs")
    assert (code, out) == (0, f"{host}/appended@{digest}\n".encode())
    assert digest == digest_of(f"{host}/appended:ref")
    assert same[:2] == (0, f"{host}/appended@{digest}\n".encode())
    appended = remote.get(name.parse_reference(f"{host}/appended:gcs")).image_index()
    children = [str(d.digest) for d in appended.index_manifest().manifests or ()]
    assert children == [
        child_digest(f"{host}/a/idx:v1", 0),
        child_digest(f"{host}/a/idx:v1", 1),
        digest_of(f"{host}/a/img:v1"),
    ]
    # The layout itself is only read.
    assert entries(path) == [(digest_of(f"{host}/a/idx:v1"), None)]


def test_index_append_takes_a_layout_as_manifest(host: str, bucket: str) -> None:
    path = f"gs://{bucket}/img"
    assert run("pull", "--format", "oci", f"{host}/a/img:v1", path)[0] == 0
    code, out, _ = run("index", "append", "-t", f"{host}/appended:m", "-m", path)
    digest = digest_of(f"{host}/appended:m")
    assert (code, out) == (0, f"{host}/appended@{digest}\n".encode())
    appended = remote.get(name.parse_reference(f"{host}/appended:m")).image_index()
    assert [str(d.digest) for d in appended.index_manifest().manifests or ()] == [
        digest_of(f"{host}/a/img:v1")
    ]


def test_index_filter_a_layout_index(host: str, bucket: str) -> None:
    path = f"gs://{bucket}/plat"
    assert run("pull", "--format", "oci", f"{host}/a/plat:v1", path)[0] == 0
    argv = ["index", "filter", "--platform", "linux/amd64"]
    code, out, _ = run(*argv, path, "-t", f"{host}/filtered:gcs")
    assert run(*argv, f"{host}/a/plat:v1", "-t", f"{host}/filtered:ref")[0] == 0
    digest = digest_of(f"{host}/filtered:gcs")
    assert (code, out) == (0, f"{host}/filtered@{digest}\n".encode())
    assert digest == digest_of(f"{host}/filtered:ref")
    assert run("index", "list", f"{host}/filtered:gcs")[1].decode().splitlines()[1:] == [
        f"{child_digest(f'{host}/a/plat:v1', 0)} {DOCKER_IMAGE} linux/amd64"
    ]


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["index", "append", "{path}", "-m", "{host}/a/img:v1"], id="append"),
        pytest.param(["index", "filter", "{path}", "--platform", "linux/amd64"], id="filter"),
    ],
)
def test_index_from_a_layout_needs_a_tag(host: str, bucket: str, argv: list[str]) -> None:
    path = f"gs://{bucket}/untagged"
    assert run("pull", "--format", "oci", f"{host}/a/plat:v1", path)[0] == 0
    code, out, err = run(*(a.format(path=path, host=host) for a in argv))
    assert (code, out) == (1, b"")
    assert err == f"Error: {path} is a local index; give -t/--tag to say where to push the result\n"


# -- errors --------------------------------------------------------------------------

NO_BUCKET = (
    "gs://{missing}/x: bucket {missing} does not exist; create it first or correct the "
    "gs://bucket/prefix path"
)
NO_INDEX = (
    "gs://{bucket}/nothing: no index.json; it is not an OCI image layout (crane pull "
    "--format oci writes one; so do layout.write and skopeo copy ... oci:DIR)"
)
NO_NAME = "{path} names no bucket; write gs://bucket/prefix"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["pull", "--format", "oci", "{host}/a/img:v1", "gs://{missing}/x"],
            "saving oci image layout gs://{missing}/x: " + NO_BUCKET,
            id="pull-missing-bucket",
        ),
        pytest.param(
            ["push", "gs://{missing}/x", "{host}/err/push:v1"],
            "loading gs://{missing}/x as OCI layout: " + NO_BUCKET,
            id="push-missing-bucket",
        ),
        pytest.param(["index", "list", "gs://{missing}/x"], NO_BUCKET, id="list-missing-bucket"),
        pytest.param(
            ["push", "gs://{bucket}/nothing", "{host}/err/push:v1"],
            "loading gs://{bucket}/nothing as OCI layout: " + NO_INDEX,
            id="push-empty-prefix",
        ),
        pytest.param(["index", "list", "gs://{bucket}/nothing"], NO_INDEX, id="list-empty-prefix"),
        pytest.param(
            ["index", "append", "gs://{bucket}/nothing", "-t", "{host}/err/a:v1"],
            NO_INDEX,
            id="append-empty-prefix",
        ),
        pytest.param(
            ["pull", "--format", "oci", "{host}/a/img:v1", "gs://"],
            "saving oci image layout gs://: " + NO_NAME.format(path="gs://"),
            id="pull-no-bucket-name",
        ),
        pytest.param(
            ["pull", "--format", "oci", "{host}/a/img:v1", "gs:///x"],
            "saving oci image layout gs:///x: " + NO_NAME.format(path="gs:///x"),
            id="pull-empty-bucket-name",
        ),
        pytest.param(
            ["push", "gs://", "{host}/err/push:v1"],
            "loading gs:// as OCI layout: " + NO_NAME.format(path="gs://"),
            id="push-no-bucket-name",
        ),
        pytest.param(
            ["index", "filter", "gs://", "--platform", "linux/amd64", "-t", "{host}/err/f:v1"],
            NO_NAME.format(path="gs://"),
            id="filter-no-bucket-name",
        ),
        pytest.param(
            ["pull", "{host}/a/img:v1", "gs://{bucket}/x.tar"],
            "gs://{bucket}/x.tar: only --format oci writes to Google Cloud Storage; give a "
            "local path for the tarball",
            id="pull-tarball-to-bucket",
        ),
        pytest.param(
            ["pull", "--format", "legacy", "{host}/a/img:v1", "gs://{bucket}/x.tar"],
            "gs://{bucket}/x.tar: only --format oci writes to Google Cloud Storage; give a "
            "local path for the legacy tarball",
            id="pull-legacy-to-bucket",
        ),
    ],
)
def test_errors_are_one_line_and_write_nothing(
    host: str,
    bucket: str,
    client: Any,
    tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    missing = f"{bucket}-absent"
    values = {"host": host, "bucket": bucket, "missing": missing}
    code, out, err = run(*(a.format(**values) for a in argv))
    assert (code, out, err) == (1, b"", f"Error: {message.format(**values)}\n")
    assert list(client.list_blobs(bucket)) == []
    assert not client.bucket(missing).exists()
    assert os.listdir(tmp_path) == []  # no local file or folder named gs:...
    assert not any(exists(f"{host}/{repo}") for repo in ("err/push:v1", "err/a:v1", "err/f:v1"))
