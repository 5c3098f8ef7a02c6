"""gcrane ls against the embedded registry's GCR flavour: text, -r, --json, table."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from gcrane_testkit import Gcr
from typer.testing import CliRunner

from containerregistry import google, name
from containerregistry.gcrane.cli import build_app
from containerregistry.gcrane.cli._ls import human_size, table_lines, text_lines


def _ls(*argv: str) -> tuple[int, str]:
    line = ["--insecure", "ls", *argv]
    result = CliRunner().invoke(build_app(argv=line), line)
    return result.exit_code, result.stdout


@pytest.fixture
def tree(gcr: Gcr) -> dict[str, str]:
    """proj/app (one image tagged latest, moving and v1; one untagged), proj/app/sub
    (tagged s1) and proj/other (tagged o1)."""
    digests = {
        "tagged": gcr.push("proj/app:v1", seed=1),
        "sub": gcr.push("proj/app/sub:s1", seed=3),
        "other": gcr.push("proj/other:o1", seed=4),
    }
    gcr.tag("proj/app", digests["tagged"], "latest")
    # An untagged image: pushed under a tag that then moves to the other image.
    digests["untagged"] = gcr.push("proj/app:moving", seed=2)
    gcr.tag("proj/app", digests["tagged"], "moving")
    return digests


def _app_lines(gcr: Gcr, tree: dict[str, str]) -> list[str]:
    repo = gcr.repo("proj/app")
    lines = []
    for digest in sorted([tree["tagged"], tree["untagged"]]):
        lines.append(f"{repo}@{digest}")
        if digest == tree["tagged"]:
            lines += [f"{repo}:latest", f"{repo}:moving", f"{repo}:v1"]
    return lines


def test_ls_prints_children_then_manifests_and_tags(gcr: Gcr, tree: dict[str, str]) -> None:
    code, out = _ls(gcr.repo("proj/app"))
    assert code == 0
    assert out.splitlines() == [f"{gcr.repo('proj/app')}/sub", *_app_lines(gcr, tree)]


def test_ls_recursive_prints_every_repository_sorted(gcr: Gcr, tree: dict[str, str]) -> None:
    code, out = _ls(gcr.repo("proj"), "-r")
    assert code == 0
    # Repositories in name order; children are walked, not printed.
    assert out.splitlines() == [
        *_app_lines(gcr, tree),
        f"{gcr.repo('proj/app/sub')}@{tree['sub']}",
        f"{gcr.repo('proj/app/sub')}:s1",
        f"{gcr.repo('proj/other')}@{tree['other']}",
        f"{gcr.repo('proj/other')}:o1",
    ]
    # The same bytes every run (gcrane's order is random).
    assert _ls(gcr.repo("proj"), "-r")[1] == out


def test_ls_json_is_gcranes_bytes(gcr: Gcr, tree: dict[str, str]) -> None:
    code, out = _ls(gcr.repo("proj/app"), "--json")
    assert code == 0
    expected = google.list(gcr.repo("proj/app"), insecure=True).to_json().decode()
    assert out == expected + "\n"
    document = json.loads(out)
    assert list(document) == ["child", "manifest", "name", "tags"]
    assert document["child"] == ["sub"]
    entry = document["manifest"][tree["tagged"]]
    assert entry["tag"] == ["latest", "moving", "v1"]
    assert isinstance(entry["imageSizeBytes"], str)


def test_ls_json_recursive_is_one_line_per_repository(gcr: Gcr, tree: dict[str, str]) -> None:
    code, out = _ls(gcr.repo("proj"), "-r", "--format", "json")
    assert code == 0
    names = [json.loads(line)["name"] for line in out.splitlines()]
    assert names == ["proj", "proj/app", "proj/app/sub", "proj/other"]


def test_ls_table_for_people(gcr: Gcr, tree: dict[str, str]) -> None:
    code, out = _ls(gcr.repo("proj/app"), "--format", "table")
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["DIGEST", "TAGS", "SIZE", "CREATED", "UPLOADED"]
    cells = {row.split()[0]: row.split() for row in rows}
    tagged = cells[tree["tagged"][: len("sha256:") + 12]]
    assert tagged[1] == "latest,moving,v1"
    assert tagged[2].endswith("B")
    assert cells[tree["untagged"][: len("sha256:") + 12]][1] == "<none>"


def test_ls_a_plain_registry_prints_tags() -> None:
    repo = name.new_repository("example.com/app")
    plain = google.Tags(name="app", tags=("b", "a"))
    assert text_lines(repo, plain) == ["example.com/app:b", "example.com/app:a"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--format", "yaml"], 'unexpected --format: "yaml"', id="unknown-format"),
        pytest.param(["--json", "--format", "table"], "--json conflicts", id="json-and-table"),
    ],
)
def test_ls_rejects_bad_formats(gcr: Gcr, argv: list[str], message: str) -> None:
    result = CliRunner().invoke(build_app(), ["ls", gcr.repo("proj/app"), *argv])
    assert result.exit_code == 1
    assert message in result.stderr


def test_ls_unknown_repository_fails(gcr: Gcr) -> None:
    result = CliRunner().invoke(build_app(), ["--insecure", "ls", gcr.repo("nope/x")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (999, "999B"), (1000, "1kB"), (1234567, "1.23MB"), (7_050_000_000, "7.05GB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_table_dates_and_order() -> None:
    utc = datetime.timezone.utc
    tags = google.Tags(
        name="p/a",
        extended=True,
        manifests={
            "sha256:" + "a" * 64: google.ManifestInfo(
                image_size_bytes=2048,
                tags=("old",),
                time_created=datetime.datetime(2020, 1, 1, tzinfo=utc),
                time_uploaded=datetime.datetime(2020, 1, 2, tzinfo=utc),
            ),
            "sha256:" + "b" * 64: google.ManifestInfo(
                tags=(), time_uploaded=datetime.datetime(2021, 1, 1, tzinfo=utc)
            ),
        },
    )
    lines = table_lines([(name.new_repository("gcr.io/p/a"), tags)], with_repository=True)
    assert [re.split(r" {3,}", line) for line in lines] == [
        ["REPOSITORY", "DIGEST", "TAGS", "SIZE", "CREATED", "UPLOADED"],
        ["gcr.io/p/a", "sha256:bbbbbbbbbbbb", "<none>", "0B", "-", "2021-01-01 00:00:00"],
        [
            "gcr.io/p/a",
            "sha256:aaaaaaaaaaaa",
            "old",
            "2.05kB",
            "2020-01-01 00:00:00",
            "2020-01-02 00:00:00",
        ],
    ]
    # Columns line up: every cell of a column starts at the same offset.
    assert {line.index("2021") for line in lines[1:2]} == {lines[0].index("UPLOADED")}
