"""google.list: GCR's extended tags/list, parsed, paged and retried."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from google_testkit import FAST_RETRY, Seen, Served, config_bytes, push_image

from containerregistry import google
from containerregistry.authn import ANONYMOUS
from containerregistry.google._list import make_options
from containerregistry.transport import RegistryError

UTC = datetime.timezone.utc
GCR_ANSWER = {
    "child": ["sub", "other"],
    "manifest": {
        "sha256:aaaa": {
            "imageSizeBytes": "2048",
            "layerId": "",
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "tag": ["latest", "v1"],
            "timeCreatedMs": "1577836800000",
            "timeUploadedMs": "1577836800123",
        },
        "sha256:bbbb": {
            "imageSizeBytes": "0",
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "tag": [],
            "timeCreatedms": "0",
            "timeUploadedMs": 1600000000000,
        },
    },
    "name": "project/app",
    "tags": ["latest", "v1"],
}


def test_parse_gcr_answer() -> None:
    tags = google.Tags.from_json(json.dumps(GCR_ANSWER))
    assert tags.name == "project/app"
    assert tags.tags == ("latest", "v1")
    assert tags.children == ("sub", "other")
    assert tags.extended
    first = tags.manifests["sha256:aaaa"]
    assert first == google.ManifestInfo(
        image_size_bytes=2048,
        media_type="application/vnd.docker.distribution.manifest.v2+json",
        tags=("latest", "v1"),
        time_created=datetime.datetime(2020, 1, 1, tzinfo=UTC),
        time_uploaded=datetime.datetime(2020, 1, 1, 0, 0, 0, 123000, tzinfo=UTC),
    )
    # Artifact Registry sends some times as numbers; Go matches keys in any case.
    second = tags.manifests["sha256:bbbb"]
    assert second.time_uploaded == datetime.datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert second.time_created == datetime.datetime(1970, 1, 1, tzinfo=UTC)
    assert tags.untagged == ("sha256:bbbb",)


def test_to_json_is_gcrane_ls_json() -> None:
    tags = google.Tags.from_json(json.dumps(GCR_ANSWER))
    assert tags.to_json() == (
        b'{"child":["sub","other"],"manifest":{"sha256:aaaa":{"imageSizeBytes":"2048",'
        b'"mediaType":"application/vnd.docker.distribution.manifest.v2+json",'
        b'"timeCreatedMs":"1577836800000","timeUploadedMs":"1577836800123",'
        b'"tag":["latest","v1"]},"sha256:bbbb":{"imageSizeBytes":"0",'
        b'"mediaType":"application/vnd.oci.image.index.v1+json","timeCreatedMs":"0",'
        b'"timeUploadedMs":"1600000000000","tag":[]}},"name":"project/app",'
        b'"tags":["latest","v1"]}'
    )
    plain = google.Tags.from_json(b'{"name":"library/ubuntu","tags":["a&b"]}')
    assert not plain.extended
    assert plain.to_json() == (
        b'{"child":null,"manifest":null,"name":"library/ubuntu","tags":["a\\u0026b"]}'
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b"<html>", "not JSON", id="html"),
        pytest.param(b"[]", "JSON object", id="array"),
        pytest.param(b'{"tags": "latest"}', "tags should be a list", id="tags-string"),
        pytest.param(b'{"manifest": []}', "manifest field", id="manifest-list"),
        pytest.param(
            b'{"manifest": {"sha256:a": {"imageSizeBytes": "12kB"}}}',
            "imageSizeBytes '12kB'",
            id="size-not-number",
        ),
        pytest.param(b'{"manifest": {"sha256:a": 1}}', "JSON object", id="entry-not-object"),
    ],
)
def test_malformed_answers(body: bytes, message: str) -> None:
    with pytest.raises(google.ListingError, match=message):
        google.Tags.from_json(body)


def test_list_embedded_gcr(gcr: Served) -> None:
    tagged, _ = push_image(gcr.url, "proj/app", ["v1", "latest"], created="2021-02-03T04:05:06Z")
    untagged, _ = push_image(gcr.url, "proj/app", [], layer=b"other layer")
    push_image(gcr.url, "proj/app/sub", ["x"])
    push_image(gcr.url, "proj/app/deeper/down", ["y"])

    tags = google.list(f"{gcr.host}/proj/app", keychain=google.GoogleKeychain(gcloud=None))

    assert tags.name == "proj/app"
    assert tags.tags == ("latest", "v1")
    assert tags.children == ("deeper", "sub")
    assert set(tags.manifests) == {tagged, untagged}
    info = tags.manifests[tagged]
    assert info.tags == ("latest", "v1")
    assert info.media_type == "application/vnd.oci.image.manifest.v1+json"
    assert info.time_created == datetime.datetime(2021, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert info.time_uploaded > info.time_created
    # GCR's size: the config and the layers.
    assert info.image_size_bytes == len(config_bytes("2021-02-03T04:05:06Z")) + len(b"layer")
    assert tags.untagged == (untagged,)
    # Not a Google host: the usual page size, and anonymous.
    (seen,) = gcr.recorder.requests("/tags/list")
    assert seen.arg("n") == "1000"
    assert seen.authorization == ""


def test_google_hosts_ask_for_ten_thousand(gcr: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    push_image(gcr.url, "proj/app", ["v1"])
    monkeypatch.setenv(google.HOSTS_ENV, gcr.host)
    google.list(gcr.repo("proj/app"), authenticator=ANONYMOUS)
    (seen,) = gcr.recorder.requests("/tags/list")
    assert seen.arg("n") == "10000"


def test_link_pages_are_followed(plain: Served) -> None:
    for tag in ("a", "b", "c", "d", "e"):
        push_image(plain.url, "lib/app", [tag])
    tags = google.list(plain.repo("lib/app"), authenticator=ANONYMOUS, page_size=2)
    assert tags.tags == ("a", "b", "c", "d", "e")
    assert not tags.extended
    assert tags.manifests == {}
    assert len(plain.recorder.requests("/tags/list")) == 3


def test_gcr_pages_merge_manifests(gcr: Served) -> None:
    first, _ = push_image(gcr.url, "proj/app", ["a", "b"])
    second, _ = push_image(gcr.url, "proj/app", ["c"], layer=b"2")
    tags = google.list(gcr.repo("proj/app"), authenticator=ANONYMOUS, page_size=1)
    assert tags.tags == ("a", "b", "c")
    assert set(tags.manifests) == {first, second}


def test_page_size_zero_omits_n(plain: Served) -> None:
    push_image(plain.url, "lib/app", ["a"])
    google.list(plain.repo("lib/app"), authenticator=ANONYMOUS, page_size=0)
    (seen,) = plain.recorder.requests("/tags/list")
    assert seen.query == ""


def test_next_page_on_another_host_is_refused(plain: Served) -> None:
    push_image(plain.url, "lib/app", ["a"])

    def elsewhere(seen: Seen) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if seen.path.endswith("/tags/list"):
            link = '<http://169.254.169.254/v2/lib/app/tags/list?last=a>; rel="next"'
            return 200, [("Content-Type", "application/json"), ("Link", link)], b'{"tags":["a"]}'
        return None

    plain.recorder.fault = elsewhere
    with pytest.raises(google.ListingError, match=r"leaves http://127\.0\.0\.1"):
        google.list(plain.repo("lib/app"), authenticator=ANONYMOUS)


def test_unknown_repository(gcr: Served) -> None:
    with pytest.raises(RegistryError) as caught:
        google.list(gcr.repo("nothing/here"), authenticator=ANONYMOUS)
    assert caught.value.status == 404
    assert caught.value.codes == ("NAME_UNKNOWN",)


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_on_quota_and_server_errors(gcr: Served, status: int) -> None:
    push_image(gcr.url, "proj/app", ["v1"])
    failures = [status, status]

    def flaky(seen: Seen) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if seen.path.endswith("/tags/list") and failures:
            return failures.pop(), [("Content-Type", "application/json")], b"{}"
        return None

    gcr.recorder.fault = flaky
    tags = google.list(gcr.repo("proj/app"), authenticator=ANONYMOUS, retry=FAST_RETRY)
    assert tags.tags == ("v1",)
    assert [s.status for s in gcr.recorder.requests("/tags/list")] == [status, status, 200]


def test_gcr_backoff_is_the_default() -> None:
    options: Any = {}
    assert make_options(options).retry is google.GCR_RETRY
    retry = google.GCR_RETRY
    waits = [retry.delay(attempt) for attempt in (1, 2, 3)]
    for base, wait in zip((6.0, 60.0, 600.0), waits, strict=True):
        assert wait is not None
        assert base * 0.9 <= wait <= base
    assert retry.attempts == 4
    assert 429 in retry.status_codes
    assert {500, 502, 503, 504, 599} <= retry.status_codes
    assert 404 not in retry.status_codes


def test_keychain_and_authenticator_conflict() -> None:
    from containerregistry.remote import OptionsError

    with pytest.raises(OptionsError):
        google.list(
            "gcr.io/p/app", keychain=google.GoogleKeychain(gcloud=None), authenticator=ANONYMOUS
        )
