"""A registry that answers wrongly, every time: a clear one-line error, nothing written.

The fault proxy in front of registry:2 rewrites the answers: blob bytes that do not
match their digest, a manifest that is not JSON, a Content-Length far beyond the
blob's size, a redirect loop, a manifest cut short. Pulls to a tarball and to an
OCI layout, and copies to registry:2, must fail with one line that says what went
wrong and on what, and leave no file, no layout entry and no tag behind.
"""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_proxy import Fault, FaultProxy

from containerregistry import crane, layout, name, random, remote
from containerregistry.errors import ContainerRegistryError
from containerregistry.transport import RegistryError, Retry
from containerregistry.v1 import Image

#: 5 tries (a cut is retried) with millisecond waits: the answers never get better.
RETRY = Retry(attempts=5, backoff=0.01, factor=2.0)
ALWAYS = 1000
LAYER_SIZE = 128 * 1024


@dataclass(frozen=True)
class Case:
    """A bad answer and what the error must say (a regular expression, any case);
    ``never`` is what it must not say."""

    fault: Fault
    says: str
    never: str = ""


CASES = {
    "blob-bytes-not-matching-digest": Case(
        Fault("blob-get", "corrupt-response", times=ALWAYS, min_body=0), r"digest"
    ),
    "manifest-not-json": Case(
        Fault("manifest-get", "not-json-response", times=ALWAYS, min_body=0), r"json|digest"
    ),
    "blob-content-length-beyond-size": Case(
        Fault("blob-get", "inflate-length", times=ALWAYS, min_body=0), r"size|bytes|length"
    ),
    "blob-redirect-loop": Case(
        Fault("blob-get", "redirect-loop", times=ALWAYS, min_body=0), r"redirect"
    ),
    "manifest-redirect-loop": Case(
        Fault("manifest-get", "redirect-loop", times=ALWAYS, min_body=0), r"redirect"
    ),
    "manifest-cut-short": Case(
        Fault("manifest-get", "truncate-response", times=ALWAYS, min_body=0),
        r"cut|short|truncat|incomplete|bytes",
        never=r"json",
    ),
    "blob-cut-short": Case(
        Fault("blob-get", "truncate-response", times=ALWAYS, min_body=0),
        r"cut|short|truncat|incomplete|bytes",
    ),
}


@pytest.fixture(scope="module")
def source(registry2_address: str) -> tuple[str, Image]:
    """``bad/source:v1`` on registry:2: two random layers."""
    image = random.image(LAYER_SIZE, 2, seed=1611)
    remote.write(name.parse_reference(f"{registry2_address}/bad/source:v1"), image)
    return "bad/source:v1", image


def pull_tarball(src: str, where: Path, registry: str) -> None:
    crane.save(remote.image(name.parse_reference(src), retry=RETRY), src, where / "out.tar")


def pull_layout(src: str, where: Path, registry: str) -> None:
    crane.save_oci(remote.image(name.parse_reference(src), retry=RETRY), where / "layout")


def copy(src: str, where: Path, registry: str) -> None:
    image = remote.image(name.parse_reference(src), retry=RETRY)
    target = f"{registry}/bad/copy-{where.name}:v1"
    remote.write(name.parse_reference(target), image, retry=RETRY)


SINKS: dict[str, Callable[[str, Path, str], None]] = {
    "pull-tarball": pull_tarball,
    "pull-layout": pull_layout,
    "copy": copy,
}


def nothing_written(sink: str, where: Path, registry: str) -> None:
    """No tarball, no layout entry or blob file left half-written, no tag."""
    if sink == "pull-tarball":
        assert sorted(p.name for p in where.iterdir()) == []
    elif sink == "pull-layout":
        root = where / "layout"
        if (root / "index.json").exists():
            assert layout.image_index_from_path(root).index_manifest().manifests == ()
        blobs = root / "blobs" / "sha256"
        stray = [p.name for p in blobs.iterdir() if len(p.name) != 64] if blobs.exists() else []
        assert stray == []
    else:
        with pytest.raises(RegistryError) as absent:
            remote.head(name.parse_reference(f"{registry}/bad/copy-{where.name}:v1"))
        assert absent.value.status == 404


@pytest.mark.parametrize("sink", list(SINKS))
@pytest.mark.parametrize("case", [pytest.param(c, id=k) for k, c in CASES.items()])
def test_bad_answer(
    case: Case, sink: str, source: tuple[str, Image], registry2_address: str, tmp_path: Path
) -> None:
    where = tmp_path / f"w{secrets.token_hex(3)}"
    where.mkdir()
    repository_tag, _ = source
    with (
        FaultProxy(registry2_address, [case.fault]) as proxy,
        pytest.raises(ContainerRegistryError) as raised,
    ):
        SINKS[sink](f"{proxy.address}/{repository_tag}", where, registry2_address)
    assert proxy.fired, "the bad answer was never given"
    message = str(raised.value).strip()
    print(f"{sink}: {type(raised.value).__name__}: {message}")
    assert "\n" not in message, message
    assert re.search(case.says, message, re.IGNORECASE), message
    if case.never:
        assert not re.search(case.never, message, re.IGNORECASE), message
    nothing_written(sink, where, registry2_address)
