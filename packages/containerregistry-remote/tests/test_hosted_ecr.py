"""Amazon ECR as its users meet it: Basic auth, no cross-repository mount, 5 MiB parts.

Behaviour reproduced (AWS ECR docs "Private registry authentication"; dotnet/sdk-container-builds
#279 and #424; openai/tart #273; kitops #822):

- the registry challenges with ``Basic`` (user ``AWS``, the password from
  ``aws ecr get-login-password``), no token server;
- a mount POST (``?mount=&from=``) is answered 202 with an upload URL: the blob must
  then be uploaded;
- the POST answer names the minimum part (``OCI-Chunk-Min-Length``, 5 MiB); every PATCH
  but the last must be at least that (else 400, ``LayerPartTooSmallException``);
- a PATCH is answered 201, not 202.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hosted_standins import ECR_CHUNK_MIN, ECR_PASSWORD, Hosted, ecr, standins
from remote_testkit import FAST_RETRY, MemoryImage, random_image, random_layer

from containerregistry import authn, remote


@pytest.fixture
def hosted() -> Iterator[Callable[..., Hosted]]:
    yield from standins()


def _opts(**extra: Any) -> dict[str, Any]:
    return {"authenticator": authn.Basic("AWS", ECR_PASSWORD), "retry": FAST_RETRY, **extra}


def test_ecr_basic_auth_push_and_pull(hosted: Callable[..., Hosted]) -> None:
    reg = hosted(ecr())
    img = random_image(40)

    remote.write(reg.ref("team/app:v1"), img, **_opts())

    assert remote.get(reg.ref("team/app:v1"), **_opts()).digest == img.digest()
    after_ping = [s for s in reg.registry.seen if s.path != "/v2/"]
    assert all(s.headers.get("Authorization", "").startswith("Basic ") for s in after_ping)
    assert all(s.status != 401 for s in after_ping)


def test_ecr_mount_refused_uploads_normally(hosted: Callable[..., Hosted]) -> None:
    reg = hosted(ecr(refuse_mount=True))
    img = random_image(41, layers=2)
    remote.write(reg.ref("team/base:v1"), img, **_opts())
    reg.registry.clear()

    source = remote.image(reg.ref("team/base:v1"), **_opts())
    remote.write(reg.ref("team/app:v1"), source, **_opts())

    assert remote.get(reg.ref("team/app:v1"), **_opts()).digest == img.digest()
    mounts = reg.registry.requests("POST", "mount=")
    assert len(mounts) == 3  # two layers and the config were offered for mounting
    assert all(s.status == 202 for s in mounts)
    assert len(reg.registry.requests("PUT", "/blobs/uploads/")) == 3  # each then uploaded


def test_ecr_streamed_push_fits_the_minimum_part(hosted: Callable[..., Hosted]) -> None:
    reg = hosted(ecr())
    img = MemoryImage([random_layer(ECR_CHUNK_MIN + 1024 * 1024, seed=42)])

    remote.write(reg.ref("team/big:v1"), img, **_opts())

    assert remote.get(reg.ref("team/big:v1"), **_opts()).digest == img.digest()
    patches = reg.registry.requests("PATCH")
    assert [s.status for s in patches] == [201, 201]  # one part per blob, ECR's 201 accepted


def test_ecr_chunked_push_honours_oci_chunk_min_length(hosted: Callable[..., Hosted]) -> None:
    reg = hosted(ecr())
    img = MemoryImage([random_layer(ECR_CHUNK_MIN + 1024 * 1024, seed=43)])

    # The user asks for 1 MiB parts; the registry said 5 MiB is the least it takes.
    remote.write(reg.ref("team/big:v1"), img, **_opts(chunk_size=1024 * 1024))

    assert remote.get(reg.ref("team/big:v1"), **_opts()).digest == img.digest()
    parts: dict[str, list[int]] = {}
    for seen in reg.registry.requests("PATCH", "/blobs/uploads/"):
        parts.setdefault(seen.path, []).append(seen.body_size)
    assert sorted(len(sizes) for sizes in parts.values()) == [1, 2]  # config; 6 MiB layer
    assert all(size >= ECR_CHUNK_MIN for sizes in parts.values() for size in sizes[:-1])
