"""Nobody gets in where they do not belong: the storage root, other repositories,
oversized uploads, and a bounded fuzz run over names, references and headers."""

from __future__ import annotations

import base64
import hashlib
import random
from pathlib import Path
from typing import Any

import pytest

from containerregistry.registry import (
    DiskStorage,
    MemoryStorage,
    Registry,
    RegistryError,
    TokenAuth,
)
from containerregistry.registry._driver import FilesystemDriver, MemoryDriver

ESCAPES = [
    "..",
    "../etc",
    "a/../../etc",
    "a/./b",
    "%2e%2e",
    "a%2F..%2F..%2Fetc",
    "/etc/passwd",
    "a//b",
    "a\\..\\b",
    "a\x00b",
    "\u2025",
    "\uff41\uff42\uff43",  # fullwidth "abc"
    "a/\u202e..",
    "_uploads",
    "a/_manifests",
]


@pytest.fixture(params=["memory", "disk"])
def guarded(request: pytest.FixtureRequest, client: Any, tmp_path: Path) -> Any:
    storage = MemoryStorage() if request.param == "memory" else DiskStorage(tmp_path / "root")
    client.app = Registry(storage=storage)
    return client


def _wire(path: str) -> str:
    """The path as a WSGI server hands it over: UTF-8 bytes decoded as latin-1."""
    return path.encode("utf-8").decode("latin-1")


def _outside(tmp_path: Path) -> list[Path]:
    return [p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "root")]


@pytest.mark.parametrize("name", ESCAPES)
def test_names_that_leave_the_root_are_refused(guarded: Any, name: str, tmp_path: Path) -> None:
    data = b"escape"
    digest = guarded.digest_of(data)
    for method, path in (
        ("POST", f"/v2/{name}/blobs/uploads/?digest={digest}"),
        ("PUT", f"/v2/{name}/manifests/latest"),
        ("GET", f"/v2/{name}/tags/list"),
        ("GET", f"/v2/{name}/blobs/{digest}"),
    ):
        result = guarded.call(method, _wire(path), data)
        assert result.status in (400, 404), (method, path)
    assert _outside(tmp_path) == []


@pytest.mark.parametrize(
    "reference",
    ["..", "../../x", ".hidden", "a/b", "sha256:../../x", "sha256:" + "a" * 63 + "/", "\u2025"],
)
def test_references_that_leave_the_root_are_refused(
    guarded: Any, reference: str, tmp_path: Path
) -> None:
    for method in ("GET", "PUT", "DELETE"):
        result = guarded.call(method, _wire(f"/v2/foo/manifests/{reference}"), b"{}")
        assert result.status in (400, 404), (method, reference)
    for upload in ("..", "../../x", "a" * 65, "x/y"):
        result = guarded.call("PATCH", f"/v2/foo/blobs/uploads/{upload}", b"x")
        assert result.status == 404
    assert _outside(tmp_path) == []


@pytest.mark.parametrize("driver", [MemoryDriver(), FilesystemDriver("/nonexistent/root")])
@pytest.mark.parametrize("path", ["../x", "a/../../x", "a//b", "/abs", "a/./b", "a\x00", "a\\b"])
def test_every_driver_refuses_paths_that_escape(driver: Any, path: str) -> None:
    for call in (driver.read, driver.size, driver.list, driver.delete):
        with pytest.raises(RegistryError, match="not a plain name"):
            call(path)


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_a_token_for_one_repository_reaches_nothing_in_another(client: Any) -> None:
    client.app = Registry(auth=TokenAuth({"alice": "pw"}))

    def token(scope: str) -> dict[str, str]:
        result = client.call("GET", f"/token?scope={scope}", headers=_basic("alice", "pw"))
        return {"Authorization": f"Bearer {result.json()['token']}"}

    secret = b"the other team's layer"
    digest = client.digest_of(secret)
    other = token("repository:other:pull,push")
    pushed = client.call("POST", f"/v2/other/blobs/uploads/?digest={digest}", secret, other)
    assert pushed.status == 201
    mine = token("repository:mine:pull,push")
    assert client.call("GET", f"/v2/other/blobs/{digest}", headers=mine).status == 401
    assert client.call("GET", "/v2/other/tags/list", headers=mine).status == 401
    # A mount from a repository the token may not pull starts a plain upload instead.
    mount = client.call("POST", f"/v2/mine/blobs/uploads/?mount={digest}&from=other", headers=mine)
    assert mount.status == 202
    # Knowing the digest is not enough: the blob is not in ``mine``.
    assert client.call("GET", f"/v2/mine/blobs/{digest}", headers=mine).status == 404
    manifest = (
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"config":{"mediaType":"application/json","digest":"' + digest.encode() + b'","size":22},'
        b'"layers":[]}'
    )
    headers = {**mine, "Content-Type": "application/vnd.oci.image.manifest.v1+json"}
    put = client.call("PUT", "/v2/mine/manifests/stolen", manifest, headers)
    assert (put.status, put.codes) == (400, ["MANIFEST_BLOB_UNKNOWN"])
    catalog = client.call("GET", "/v2/_catalog", headers=mine)
    assert catalog.status == 401
    # With both scopes, the mount works.
    both = token("repository:mine:pull,push&scope=repository:other:pull")
    mounted = client.call(
        "POST", f"/v2/mine/blobs/uploads/?mount={digest}&from=other", headers=both
    )
    assert mounted.status == 201


@pytest.mark.parametrize("storage", ["memory", "disk"])
def test_an_upload_over_the_size_limit_is_cut_off(
    client: Any, storage: str, tmp_path: Path
) -> None:
    backend = MemoryStorage() if storage == "memory" else DiskStorage(tmp_path / "root")
    client.app = Registry(storage=backend, max_upload_size=1000)
    started = client.call("POST", "/v2/foo/blobs/uploads/")
    location = started.headers["Location"]
    assert client.call("PATCH", location, b"x" * 600).status == 202
    over = client.call("PATCH", location, b"x" * 600)
    assert (over.status, over.codes) == (413, ["SIZE_INVALID"])
    assert client.call("GET", location).codes == ["BLOB_UPLOAD_UNKNOWN"]
    assert list(backend.uploads()) == []
    big = b"y" * 1001
    result = client.call("POST", f"/v2/foo/blobs/uploads/?digest={client.digest_of(big)}", big)
    assert result.status == 413
    fits = b"z" * 1000
    result = client.call("POST", f"/v2/foo/blobs/uploads/?digest={client.digest_of(fits)}", fits)
    assert result.status == 201


def test_read_only_refuses_every_change(populated: Any) -> None:
    client = populated.client
    client.app = Registry(storage=client.app.storage, read_only=True)
    assert client.call("GET", "/v2/foo/manifests/latest").body == populated.image
    for method, path in (
        ("POST", "/v2/foo/blobs/uploads/"),
        ("PUT", "/v2/foo/manifests/new"),
        ("DELETE", "/v2/foo/manifests/latest"),
        ("DELETE", f"/v2/foo/blobs/{populated.layer_digest}"),
    ):
        result = client.call(method, path, b"{}")
        assert (result.status, result.codes) == (405, ["UNSUPPORTED"]), (method, path)
    assert client.call("GET", "/v2/foo/tags/list").json()["tags"] == ["latest", "multi"]


ALPHABET = "abc/._-:%\\\x00é\u2025 ..sha256" + "0123456789"


def test_fuzz_names_references_and_headers(client: Any, tmp_path: Path) -> None:
    """2000 seeded random requests: never a 500, never a file outside the root."""
    client.app = Registry(storage=DiskStorage(tmp_path / "root"))
    chooser = random.Random(20261207)
    methods = ["GET", "HEAD", "PUT", "POST", "PATCH", "DELETE"]
    shapes = [
        "/v2/{a}/manifests/{b}",
        "/v2/{a}/blobs/{b}",
        "/v2/{a}/blobs/uploads/{b}",
        "/v2/{a}/blobs/uploads/?digest={b}&mount={b}&from={a}",
        "/v2/{a}/tags/list?n={b}&last={a}",
        "/v2/{a}/referrers/{b}?artifactType={a}",
        "/v2/_catalog?n={b}",
    ]

    def junk() -> str:
        return "".join(chooser.choice(ALPHABET) for _ in range(chooser.randint(0, 24)))

    for _ in range(2000):
        path = chooser.choice(shapes).format(a=junk(), b=junk())
        headers = {
            "Content-Range": junk(),
            "Range": "bytes=" + junk(),
            "Content-Type": junk(),
        }
        body = junk().encode()
        headers = {k: _wire(v) for k, v in headers.items()}
        result = client.call(chooser.choice(methods), _wire(path), body, headers)
        assert result.status < 500, (path, result.body)
    assert _outside(tmp_path) == []
    hashes = {p.parent.name for p in (tmp_path / "root").rglob("data") if "blobs" in p.parts}
    for name in hashes:
        stored = next((tmp_path / "root").rglob(f"blobs/sha256/*/{name}/data")).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == name
