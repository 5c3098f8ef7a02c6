"""gcrane gc: untagged images listed as gcrane does, then (beyond gcrane) deleted."""

from __future__ import annotations

import pytest
from gcrane_testkit import NO_WAIT, Gcr
from typer.testing import CliRunner

from containerregistry import gcrane, google, types
from containerregistry.gcrane.cli import build_app


def _gc(*argv: str) -> tuple[int, str, str]:
    line = ["--insecure", "gc", *argv]
    result = CliRunner().invoke(build_app(argv=line), line)
    return result.exit_code, result.stdout, result.stderr


def _untag(gcr: Gcr, repo: str, *, seed: int) -> str:
    """Push an image under a tag, then move the tag away: the image is left untagged."""
    digest = gcr.push(f"{repo}:scratch", seed=seed)
    gcr.push(f"{repo}:scratch", seed=999)
    return digest


@pytest.fixture
def garbage(gcr: Gcr) -> dict[str, list[str]]:
    """Untagged images in proj/app (two) and proj/app/sub (one); tagged ones stay."""
    gcr.push("proj/app:keep", seed=1)
    gcr.push("proj/app/sub:keep", seed=2)
    return {
        "proj/app": sorted([_untag(gcr, "proj/app", seed=10), _untag(gcr, "proj/app", seed=11)]),
        "proj/app/sub": [_untag(gcr, "proj/app/sub", seed=12)],
    }


def test_gc_lists_untagged_images(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    code, out, _ = _gc(gcr.repo("proj/app"))
    assert code == 0
    assert out.splitlines() == [f"{gcr.repo('proj/app')}@{d}" for d in garbage["proj/app"]]


def test_gc_recursive_lists_every_repository(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    code, out, _ = _gc(gcr.repo("proj"), "-r")
    assert code == 0
    assert out.splitlines() == [
        f"{gcr.repo(repo)}@{digest}" for repo, digests in garbage.items() for digest in digests
    ]


def test_gc_delete_removes_them_and_reports(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    code, out, err = _gc(gcr.repo("proj"), "-r", "--delete")
    assert code == 0, err
    listed = out.splitlines()
    assert len(listed) == 3
    assert [line.removeprefix("deleted ") for line in err.splitlines()[:-1]] == listed
    assert err.splitlines()[-1] == "deleted 3 image(s), 0 failed"
    assert _gc(gcr.repo("proj"), "-r")[1] == ""
    kept = google.list(gcr.repo("proj/app"), insecure=True)
    assert list(kept.tags) == ["keep", "scratch"]


def test_gc_dry_run_deletes_nothing(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    code, out, err = _gc(gcr.repo("proj/app"), "--delete", "--dry-run")
    assert code == 0
    assert err.splitlines()[-1] == "would delete 2 image(s), 0 failed"
    assert not any(method == "DELETE" for method, _ in gcr.seen)
    assert _gc(gcr.repo("proj/app"))[1] == out


def test_gc_dry_run_needs_delete(gcr: Gcr) -> None:
    code, _, err = _gc(gcr.repo("proj/app"), "--dry-run")
    assert code == 1
    assert "--dry-run only applies with --delete" in err


def test_gc_delete_continues_past_a_failure(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    refused = garbage["proj/app"][0]
    gcr.delete_faults[refused] = [403]
    code, _, err = _gc(gcr.repo("proj"), "-r", "--delete")
    assert code == 1
    lines = err.splitlines()
    assert any(
        line.startswith(f"failed to delete {gcr.repo('proj/app')}@{refused}: ") for line in lines
    )
    assert lines[-1] == "deleted 2 image(s), 1 failed"
    assert _gc(gcr.repo("proj"), "-r")[1].splitlines() == [f"{gcr.repo('proj/app')}@{refused}"]


def test_delete_images_retries_temporary_errors(gcr: Gcr, garbage: dict[str, list[str]]) -> None:
    flaky = garbage["proj/app/sub"][0]
    gcr.delete_faults[flaky] = [503]
    images = gcrane.untagged(gcr.repo("proj/app/sub"), insecure=True)
    report = gcrane.delete_images(images, insecure=True, retry=NO_WAIT)
    assert [str(i) for i in report.deleted] == [f"{gcr.repo('proj/app/sub')}@{flaky}"]
    assert report.failed == []
    deletes = [path for method, path in gcr.seen if method == "DELETE"]
    assert len(deletes) == 2


def test_indexes_are_deleted_before_images(gcr: Gcr) -> None:
    index_digest = gcr.push("proj/multi:scratch", seed=5, index=True)
    gcr.push("proj/multi:scratch", seed=6)
    images = gcrane.untagged(gcr.repo("proj/multi"), insecure=True)
    assert len(images) == 3  # the index and its two children
    report = gcrane.delete_images(images, insecure=True, retry=NO_WAIT)
    assert report.failed == []
    assert str(report.deleted[0]).endswith(index_digest)
    assert types.is_index(report.deleted[0].media_type)
    assert gcrane.untagged(gcr.repo("proj/multi"), insecure=True) == []
