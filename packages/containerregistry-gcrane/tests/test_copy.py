"""gcrane copy -r: walk, diff against the destination, copy only what is missing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gcrane_testkit import NO_WAIT, Gcr, serve_gcr
from typer.testing import CliRunner

from containerregistry import gcrane, google
from containerregistry.gcrane.cli import build_app


@pytest.fixture
def other() -> Iterator[Gcr]:
    """A second GCR-flavoured registry, the destination."""
    yield from serve_gcr()


def _snapshot(gcr: Gcr, root: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """Repository (relative to ``root``) -> digest -> sorted tags, for the whole tree."""
    seen: dict[str, dict[str, tuple[str, ...]]] = {}

    def visit(repo: object, tags: google.Tags | None, error: object) -> None:
        assert error is None
        assert tags is not None
        path = repo.repository_str.removeprefix(root)  # type: ignore[attr-defined]
        if tags.manifests:
            seen[path] = {d: tuple(sorted(m.tags)) for d, m in tags.manifests.items()}

    google.walk(gcr.repo(root), visit, insecure=True)
    return seen


@pytest.fixture
def source(gcr: Gcr) -> Gcr:
    """proj/app: an image tagged v1 and latest, an untagged image, a tagged index;
    proj/app/sub: one tagged image."""
    digest = gcr.push("proj/app:v1", seed=1)
    gcr.tag("proj/app", digest, "latest")
    gcr.push("proj/app:gone", seed=2)
    gcr.push("proj/app:gone", seed=1)  # moves "gone" off seed 2, leaving it untagged
    gcr.push("proj/app:multi", seed=3, index=True)
    gcr.push("proj/app/sub:s1", seed=4)
    return gcr


def test_copy_recursive_copies_the_tree(source: Gcr, other: Gcr) -> None:
    line = ["--insecure", "cp", "-r", "-j", "2", source.repo("proj"), other.repo("dst")]
    result = CliRunner().invoke(build_app(argv=line), line)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert _snapshot(other, "dst") == _snapshot(source, "proj")
    assert set(_snapshot(other, "dst")) == {"/app", "/app/sub"}


def test_second_copy_moves_nothing(source: Gcr, other: Gcr) -> None:
    gcrane.copy_repository(source.repo("proj"), other.repo("dst"), insecure=True, retry=NO_WAIT)
    other.seen.clear()
    report = gcrane.copy_repository(
        source.repo("proj"), other.repo("dst"), insecure=True, retry=NO_WAIT
    )
    assert report.copied == []
    assert not [s for s in other.seen if s[0] in ("PUT", "POST", "PATCH")]


def test_missing_tags_are_added_by_manifest_put(source: Gcr, other: Gcr) -> None:
    digest = source.push("proj/app:v1", seed=1)
    other.push("dst/app:v1", seed=1)  # the image is there, "latest" and "gone" are not
    report = gcrane.copy_repository(
        source.repo("proj/app"), other.repo("dst/app"), insecure=True, retry=NO_WAIT
    )
    done = {c.digest: c for c in report.copied}
    assert done[digest].present
    assert done[digest].tags == ("gone", "latest")
    puts = [path for method, path in other.seen if method == "PUT"]
    assert "/v2/dst/app/manifests/latest" in puts
    assert not [p for p in puts if "/blobs/" in p and p.endswith(digest)]
    assert _snapshot(other, "dst")["/app"][digest] == ("gone", "latest", "v1")


def test_untagged_images_are_copied_by_digest(source: Gcr, other: Gcr) -> None:
    gcrane.copy_repository(
        source.repo("proj/app"), other.repo("dst/app"), insecure=True, retry=NO_WAIT
    )
    untagged = {i.digest.digest_str for i in gcrane.untagged(other.repo("dst/app"), insecure=True)}
    assert untagged == {
        i.digest.digest_str for i in gcrane.untagged(source.repo("proj/app"), insecure=True)
    }
    assert any(path.startswith("/v2/dst/app/manifests/sha256:") for _, path in other.seen)


def test_a_missing_source_fails_with_a_report(gcr: Gcr, other: Gcr) -> None:
    with pytest.raises(gcrane.RepositoryCopyError) as caught:
        gcrane.copy_repository(
            gcr.repo("nothing/here"), other.repo("dst"), insecure=True, retry=NO_WAIT
        )
    assert caught.value.report.failed
    assert "run the copy again" in str(caught.value)


def test_copy_without_r_copies_one_image(source: Gcr, other: Gcr) -> None:
    result = CliRunner().invoke(
        build_app(), ["--insecure", "copy", source.repo("proj/app:v1"), other.repo("one:v1")]
    )
    assert result.exit_code == 0, result.stderr
    assert list(google.list(other.repo("one"), insecure=True).tags) == ["v1"]


def test_diff_of_a_plain_registry_goes_by_tag() -> None:
    from containerregistry import name
    from containerregistry.gcrane._copy import diff

    src, dst = name.new_repository("a.example/xx"), name.new_repository("b.example/xx")
    have = google.Tags(name="xx", tags=("1",))
    tasks = diff(google.Tags(name="xx", tags=("2", "1")), have, src, dst)
    assert [(t.digest, t.tags) for t in tasks] == [("2", ("2",))]
