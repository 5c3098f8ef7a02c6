"""Artifact Registry and GCR listings of repositories with more than 1,000 children.

Behaviour reproduced (go-containerregistry #1643 and #1645; cloud.google.com
"Artifact Registry quotas and limits": a list returns at most 10,000 items): the
extended ``tags/list`` holds at most ``n`` children (1,000 when ``n`` is absent, never
more than 10,000) and says nothing about the rest: no ``Link``, no marker. A client
that asks for fewer loses the others without an error.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
from google_testkit import Served, serve
from typer.testing import CliRunner

from containerregistry import google
from containerregistry.authn import ANONYMOUS
from containerregistry.registry import ManifestRecord, MemoryStorage, Registry

CHILDREN = [f"img{i:04d}" for i in range(1100)]
#: Artifact Registry's page when ``n`` is absent, and its ceiling.
DEFAULT_ITEMS, MAX_ITEMS = 1000, 10000


class ArtifactRegistryFront:
    """The GCR-flavoured embedded registry with Artifact Registry's truncated children."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ["PATH_INFO"].endswith("/tags/list"):
            return self.registry(environ, start_response)
        asked = parse_qs(environ.get("QUERY_STRING", "")).get("n", [""])[0]
        limit = min(int(asked) if asked.isdigit() else DEFAULT_ITEMS, MAX_ITEMS)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.registry(environ, capture))
        if captured["status"].startswith("200"):
            document = json.loads(body)
            document["child"] = document["child"][:limit]
            body = json.dumps(document).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def _seed(storage: MemoryStorage) -> None:
    """One manifest in ``proj/repo`` and in each of its 1,100 children (no blobs needed:
    only the listing is read)."""
    data = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [],
        }
    ).encode()
    record = ManifestRecord(
        digest="sha256:" + hashlib.sha256(data).hexdigest(),
        media_type="application/vnd.oci.image.index.v1+json",
        data=data,
        uploaded_ms=1_700_000_000_000,
    )
    storage.put_manifest("proj/repo", record, ["latest"])
    for child in CHILDREN:
        storage.put_manifest(f"proj/repo/{child}", record, ["v1"])


@pytest.fixture
def artifact_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    storage = MemoryStorage()
    _seed(storage)
    for served in serve(ArtifactRegistryFront(Registry(storage=storage, gcr=True))):
        # Treated as a Google host, as *.pkg.dev is.
        monkeypatch.setenv(google.HOSTS_ENV, served.host)
        yield served


def test_artifact_registry_listing_with_1100_children_is_complete(
    artifact_registry: Served,
) -> None:
    tags = google.list(artifact_registry.repo("proj/repo"), authenticator=ANONYMOUS)

    assert tags.children == tuple(CHILDREN)
    assert tags.tags == ("latest",)
    (seen,) = artifact_registry.recorder.requests("/tags/list")
    assert seen.arg("n") == str(MAX_ITEMS)


def test_gcrane_ls_prints_all_1100_children(artifact_registry: Served) -> None:
    from containerregistry.gcrane.cli import build_app

    result = CliRunner().invoke(
        build_app(), ["--insecure", "ls", f"{artifact_registry.host}/proj/repo"]
    )

    assert result.exit_code == 0, result.output
    children = [
        line
        for line in result.stdout.splitlines()
        if "@" not in line and ":" not in line.split("/", 1)[1]
    ]
    assert children == [f"{artifact_registry.host}/proj/repo/{c}" for c in CHILDREN]
