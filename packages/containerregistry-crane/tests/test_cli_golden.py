"""Our crane against Go crane's recorded results: same stdout bytes, same exit codes.

Every command line of ``crane_golden.CASES`` runs, in order, as a real ``crane``
process against the same seeded embedded registry the recorder used
(``tools/record-crane-golden``); the results are compared with
``golden/crane.json``. stderr's wording may differ and is not compared. Lines
whose stdout cannot be compared say why, in ``CASES`` and in the fixture.
"""

from __future__ import annotations

import sys
from pathlib import Path

import crane_golden
import pytest
from crane_golden import CASES, Case, Result, run_case, run_help

#: Our crane, as a process: the same entry point the ``crane`` script calls.
OURS = (sys.executable, "-m", "containerregistry.crane.cli")

FIXTURE = crane_golden.load_fixture()


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Result, Result | None]]:
    """Run every case through our crane, in order; each with its own help where needed."""
    tmp = Path(tmp_path_factory.mktemp("golden")).resolve()
    results: dict[str, tuple[Result, Result | None]] = {}
    with crane_golden.workspace(tmp) as space:
        for case in CASES:
            result = run_case(OURS, case, space)
            helped = run_help(OURS, case, space) if case.compare == "help" else None
            results[case.id] = (result, helped)
    return results


def test_the_fixture_records_exactly_these_command_lines() -> None:
    recorded = {key: (entry["argv"], entry["compare"]) for key, entry in FIXTURE["cases"].items()}
    listed = {case.id: (list(case.argv), case.compare) for case in CASES}
    assert recorded == listed, "CASES changed: run tools/record-crane-golden"
    assert FIXTURE["crane"] == "v0.21.9"


def test_every_difference_kept_says_why() -> None:
    assert [case.id for case in CASES if case.compare != "exact" and not case.why] == []
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.slow  # the first one runs all the command lines: about a minute
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_same_as_go_crane(case: Case, replayed: dict[str, tuple[Result, Result | None]]) -> None:
    entry = FIXTURE["cases"][case.id]
    ours, helped = replayed[case.id]
    shown = f"stdout {crane_golden.describe(ours.stdout)}, stderr {ours.stderr[-800:]!r}"
    if case.compare == "beyond":
        assert entry["exit"] != 0, "Go crane does this too now: compare it exactly"
        assert ours.exit == 0, shown
        return
    assert ours.exit == entry["exit"], f"exit {ours.exit}, Go's {entry['exit']}; {shown}"
    if case.compare == "exact":
        expected = entry.get("stdout", entry.get("stdout_sha256"))
        assert crane_golden.stdout_matches(entry, ours.stdout), f"Go's {expected!r}; ours {shown}"
    elif case.compare == "help":
        assert helped is not None
        assert helped.exit == 0
        assert ours.stdout == helped.stdout, f"not the help of {case.help_of}; {shown}"
    elif case.compare == "prefix":
        assert ours.stdout.startswith(case.prefix.encode()), shown
