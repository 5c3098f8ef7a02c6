"""google.walk: every repository below a root, concurrently, parents first."""

from __future__ import annotations

import threading

import pytest
from google_testkit import FAST_RETRY, Seen, Served, push_image

from containerregistry import google, name
from containerregistry.authn import ANONYMOUS
from containerregistry.errors import ContainerRegistryError
from containerregistry.transport import RegistryError

TREE = ["proj/a", "proj/a/x", "proj/a/x/deep", "proj/b", "proj/b/y", "proj/c"]


def _populate(served: Served) -> None:
    for path in TREE:
        push_image(served.url, path, ["v1"], layer=path.encode())


class Visits:
    """Collects what walk passes to its function."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.tags: dict[str, google.Tags | None] = {}
        self.errors: dict[str, ContainerRegistryError] = {}
        self.inside = 0
        self.overlapped = False
        self._lock = threading.Lock()

    def __call__(
        self,
        repo: name.Repository,
        tags: google.Tags | None,
        error: ContainerRegistryError | None,
    ) -> None:
        with self._lock:
            self.inside += 1
            self.overlapped |= self.inside > 1
        self.order.append(repo.repository_str)
        self.tags[repo.repository_str] = tags
        if error is not None:
            self.errors[repo.repository_str] = error
        with self._lock:
            self.inside -= 1


def test_walks_the_whole_tree(gcr: Served) -> None:
    _populate(gcr)
    visits = Visits()
    google.walk(f"{gcr.host}/proj", visits, authenticator=ANONYMOUS, jobs=3)

    assert sorted(visits.order) == sorted(["proj", *TREE])
    assert visits.errors == {}
    assert not visits.overlapped
    # An anonymous registry needs no per-repository token: one ping for the walk.
    assert [s.path for s in gcr.recorder.seen].count("/v2/") == 1
    # A repository is always reported before its children.
    for path in visits.order:
        parent = path.rpartition("/")[0]
        if parent:
            assert visits.order.index(parent) < visits.order.index(path)
    root = visits.tags["proj"]
    assert root is not None
    assert root.children == ("a", "b", "c")
    assert root.manifests == {}
    deep = visits.tags["proj/a/x/deep"]
    assert deep is not None
    assert deep.tags == ("v1",)


def test_listing_is_bounded_by_jobs(gcr: Served) -> None:
    for index in range(12):
        push_image(gcr.url, f"proj/r{index:02}", ["v1"])
    gcr.recorder.delay = 0.02
    visits = Visits()
    google.walk(gcr.repo("proj"), visits, authenticator=ANONYMOUS, jobs=3)
    assert len(visits.order) == 13
    assert 1 < gcr.recorder.peak <= 3


def test_failed_child_is_reported_and_the_rest_walked(gcr: Served) -> None:
    _populate(gcr)

    def forbid_a(seen: Seen) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if seen.path == "/v2/proj/a/tags/list":
            body = b'{"errors":[{"code":"DENIED","message":"no access to proj/a"}]}'
            return 403, [("Content-Type", "application/json")], body
        return None

    gcr.recorder.fault = forbid_a
    visits = Visits()
    google.walk(gcr.repo("proj"), visits, authenticator=ANONYMOUS, retry=FAST_RETRY)

    assert set(visits.errors) == {"proj/a"}
    error = visits.errors["proj/a"]
    assert isinstance(error, RegistryError)
    assert error.status == 403
    assert visits.tags["proj/a"] is None
    # proj/a's children are unknown, the other branches are walked.
    assert sorted(visits.order) == ["proj", "proj/a", "proj/b", "proj/b/y", "proj/c"]


def test_failed_root_is_reported(gcr: Served) -> None:
    visits = Visits()
    google.walk(gcr.repo("missing"), visits, authenticator=ANONYMOUS)
    assert visits.order == ["missing"]
    assert isinstance(visits.errors["missing"], RegistryError)


def test_an_exception_from_fn_stops_the_walk(gcr: Served) -> None:
    _populate(gcr)
    seen: list[str] = []

    def stop_at_a(repo: name.Repository, tags: object, error: object) -> None:
        seen.append(repo.repository_str)
        if repo.repository_str == "proj/a":
            raise KeyError("enough")

    with pytest.raises(KeyError, match="enough"):
        google.walk(gcr.repo("proj"), stop_at_a, authenticator=ANONYMOUS, jobs=1)
    assert "proj/a" in seen
    assert "proj/a/x" not in seen
    assert "proj/a/x/deep" not in seen


def test_a_child_that_is_not_a_name_aborts(plain: Served) -> None:
    def bad_child(seen: Seen) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if seen.path == "/v2/proj/tags/list":
            body = b'{"name":"proj","child":["Not A Name"],"manifest":{},"tags":[]}'
            return 200, [("Content-Type", "application/json")], body
        return None

    plain.recorder.fault = bad_child
    with pytest.raises(google.ListingError, match="'Not A Name' that is not a repository"):
        google.walk(plain.repo("proj"), Visits(), authenticator=ANONYMOUS)
