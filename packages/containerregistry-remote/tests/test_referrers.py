"""Referrers: the API when there is one, the sha256-<hex> tag when not, kept up to date on push."""

from __future__ import annotations

from typing import Any

import pytest
from remote_testkit import FAST_RETRY, Served, random_image

from containerregistry import name, remote, types
from containerregistry.v1 import Descriptor, IndexManifest

OPTS: dict[str, Any] = {"retry": FAST_RETRY}


def _subject_and_referrers(registry: Served) -> tuple[Descriptor, list[Any]]:
    subject = random_image(1)
    remote.write(registry.ref("app:v1"), subject, **OPTS)
    desc = Descriptor(media_type=subject.media_type(), size=subject.size(), digest=subject.digest())
    sig = random_image(2, layers=1, size=50, subject=desc, artifact_type="application/x.sig")
    sbom = random_image(3, layers=1, size=50, subject=desc, artifact_type="application/x.sbom")
    return desc, [sig, sbom]


@pytest.mark.parametrize("fixture", ["registry", "registry_without_referrers"])
def test_referrers_with_and_without_the_api(request: pytest.FixtureRequest, fixture: str) -> None:
    registry: Served = request.getfixturevalue(fixture)
    subject, refs = _subject_and_referrers(registry)
    for ref in refs:
        remote.write(registry.ref(f"app@{ref.digest()}"), ref, **OPTS)
    digest_ref = name.new_digest(f"{registry.host}/app@{subject.digest}")

    found = remote.referrers(digest_ref, **OPTS)
    assert {d.digest for d in found.manifests or ()} == {r.digest() for r in refs}
    assert {d.artifact_type for d in found.manifests or ()} == {
        "application/x.sig",
        "application/x.sbom",
    }
    only = remote.referrers(digest_ref, artifact_type="application/x.sig", **OPTS)
    assert [d.digest for d in only.manifests or ()] == [refs[0].digest()]

    tag = remote.fallback_tag(subject.digest)
    fallback_puts = registry.recorder.requests("PUT", f"/manifests/{tag}")
    if fixture == "registry":
        assert fallback_puts == []
    else:
        assert len(fallback_puts) == 2
        index = IndexManifest.from_json(remote.get(registry.ref(f"app:{tag}"), **OPTS).manifest)
        digests = [str(d.digest) for d in index.manifests or ()]
        assert digests == sorted(digests)
        assert index.media_type == types.OCI_IMAGE_INDEX


def test_no_referrers_is_an_empty_index(registry_without_referrers: Served) -> None:
    img = random_image(4)
    remote.write(registry_without_referrers.ref("app:v1"), img, **OPTS)
    ref = name.new_digest(f"{registry_without_referrers.host}/app@{img.digest()}")
    found = remote.referrers(ref, **OPTS)
    assert found.manifests == ()
    with pytest.raises(remote.RemoteError, match="no referrers API"):
        remote.referrers(ref, referrers_tag_fallback=False, **OPTS)


def test_pushing_twice_does_not_duplicate_the_fallback_entry(
    registry_without_referrers: Served,
) -> None:
    registry = registry_without_referrers
    subject, refs = _subject_and_referrers(registry)
    remote.write(registry.ref(f"app@{refs[0].digest()}"), refs[0], **OPTS)
    registry.recorder.clear()
    remote.put(registry.ref("app:again"), refs[0], **OPTS)
    ref = name.new_digest(f"{registry.host}/app@{subject.digest}")
    assert len(remote.referrers(ref, **OPTS).manifests or ()) == 1
