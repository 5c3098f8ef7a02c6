"""A WSGI client for calling the registry app in-process, and a populated registry."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import pathlib
import sys
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from containerregistry.registry import DiskStorage, Registry, Storage

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar"


def digest_of(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclasses.dataclass
class Result:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def codes(self) -> list[str]:
        return [error["code"] for error in self.json()["errors"]]


class Client:
    """Calls a :class:`Registry` in-process through its WSGI interface."""

    OCI_MANIFEST = OCI_MANIFEST
    OCI_INDEX = OCI_INDEX
    OCI_CONFIG = OCI_CONFIG
    LAYER = LAYER

    def __init__(self, app: Registry) -> None:
        self.app = app

    @staticmethod
    def digest_of(data: bytes) -> str:
        return digest_of(data)

    def call(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Result:
        """Run one request through the WSGI app and collect the response."""
        path, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(body)) if body or method in ("PUT", "PATCH", "POST") else "",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "HTTP_HOST": "registry.test",
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = dict(response_headers)

        chunks = self.app(environ, start_response)
        data = b"".join(chunks)
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        return Result(captured["status"], captured["headers"], data)

    def push_blob(self, repository: str, data: bytes) -> str:
        digest = digest_of(data)
        result = self.call("POST", f"/v2/{repository}/blobs/uploads/?digest={digest}", data)
        assert result.status == 201, result.body
        return digest

    def image_manifest(self, repository: str, layer: bytes, **extra: Any) -> bytes:
        """Push a config and a layer; return the bytes of a manifest that uses them."""
        config = json.dumps({"created": "2020-01-01T00:00:00.123456789Z"}).encode()
        document = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": OCI_CONFIG,
                "digest": self.push_blob(repository, config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": LAYER,
                    "digest": self.push_blob(repository, layer),
                    "size": len(layer),
                }
            ],
            **extra,
        }
        return json.dumps(document).encode()

    def put_manifest(
        self, repository: str, reference: str, data: bytes, media_type: str = OCI_MANIFEST
    ) -> Result:
        return self.call(
            "PUT",
            f"/v2/{repository}/manifests/{reference}",
            data,
            {"Content-Type": media_type},
        )


@dataclasses.dataclass
class Populated:
    """A registry holding repo ``foo`` with ``latest`` (an image), ``multi`` (an
    index of it) and a signature referring to the image, plus ``foo/sub`` and ``bar``."""

    client: Client
    layer: bytes
    layer_digest: str
    image: bytes
    image_digest: str
    index: bytes
    index_digest: str
    signature_digest: str


def populate(client: Client) -> Populated:
    layer = b"layer-bytes " * 100
    image = client.image_manifest("foo", layer)
    assert client.put_manifest("foo", "latest", image).status == 201
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": [
                {"mediaType": OCI_MANIFEST, "digest": digest_of(image), "size": len(image)}
            ],
        }
    ).encode()
    assert client.put_manifest("foo", "multi", index, OCI_INDEX).status == 201
    signature = client.image_manifest(
        "foo",
        b"signature",
        artifactType="application/vnd.example.sig",
        subject={"mediaType": OCI_MANIFEST, "digest": digest_of(image), "size": len(image)},
        annotations={"note": "signed"},
    )
    assert client.put_manifest("foo", digest_of(signature), signature).status == 201
    assert (
        client.put_manifest("foo/sub", "v1", client.image_manifest("foo/sub", layer)).status == 201
    )
    assert client.put_manifest("bar", "v1", client.image_manifest("bar", layer)).status == 201
    return Populated(
        client,
        layer,
        digest_of(layer),
        image,
        digest_of(image),
        index,
        digest_of(index),
        digest_of(signature),
    )


def _uploads_left(storage: Storage) -> list[str]:
    uploads = sorted(upload for _, upload in storage.uploads())
    if isinstance(storage, DiskStorage):
        on_disk = storage.root.glob("docker/registry/v2/repositories/**/_uploads/*")
        assert sorted(p.name for p in on_disk) == uploads
    return uploads


@pytest.fixture
def uploads_left() -> Callable[[Storage], list[str]]:
    """Lists the ids of the uploads a storage still holds; on disk, also checks that
    exactly their directories are there."""
    return _uploads_left


@pytest.fixture
def client() -> Client:
    return Client(Registry())


@pytest.fixture
def populated(client: Client) -> Populated:
    return populate(client)


@pytest.fixture
def populated_disk(client: Client, tmp_path: Any) -> tuple[Client, Any, Populated]:
    """A populated registry on disk: (client, root directory, facts)."""
    from containerregistry.registry import DiskStorage

    root = tmp_path / "registry"
    client.app = Registry(storage=DiskStorage(root))
    return client, root, populate(client)


#: The bucket every test on the storage emulator uses, each under its own prefix.
BUCKET = "registry"


@pytest.fixture(scope="session")
def gcs_emulator() -> Iterator[str]:
    """gcp-storage-emulator (generation preconditions enforced, as GCS does; see
    the layout package's gcs_testkit) with bucket :data:`BUCKET`; yields its URL."""
    sys.path.insert(
        0, str(pathlib.Path(__file__).parents[2] / "containerregistry-layout" / "tests")
    )
    from gcs_testkit import storage_emulator

    from containerregistry.registry._driver_gcs import default_client

    with storage_emulator() as proxy:
        previous = os.environ.get("STORAGE_EMULATOR_HOST")
        os.environ["STORAGE_EMULATOR_HOST"] = proxy.url
        try:
            client = default_client()
            if not client.bucket(BUCKET).exists():
                client.create_bucket(BUCKET)
            yield proxy.url
        finally:
            if previous is None:
                os.environ.pop("STORAGE_EMULATOR_HOST", None)
            else:
                os.environ["STORAGE_EMULATOR_HOST"] = previous


@pytest.fixture
def gcs_url(gcs_emulator: str) -> str:
    """``gs://registry/<a prefix of this test's own>``."""
    return f"gs://{BUCKET}/t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def gcs_instance(gcs_url: str) -> Any:
    """Makes registries, each with its own clients and hash states, on one bucket."""
    from containerregistry.registry import GcsStorage

    def make() -> Client:
        return Client(Registry(storage=GcsStorage(gcs_url)))

    return make


@pytest.fixture(params=["memory", "disk", "gcs"])
def oci(request: pytest.FixtureRequest, tmp_path: Any) -> Client:
    """A client of a fresh registry on each storage backend."""
    from containerregistry.registry import DiskStorage, GcsStorage, MemoryStorage

    if request.param == "memory":
        return Client(Registry(storage=MemoryStorage()))
    if request.param == "gcs":
        return Client(Registry(storage=GcsStorage(request.getfixturevalue("gcs_url"))))
    return Client(Registry(storage=DiskStorage(tmp_path / "registry")))
