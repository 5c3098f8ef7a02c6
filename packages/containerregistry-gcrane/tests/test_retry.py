"""Whole operations repeated with a backoff: each wait is one line on the retry logger."""

from __future__ import annotations

import pytest

from containerregistry.gcrane._retry import retrying
from containerregistry.transport import RETRY_LOGGER, RegistryError, Retry


def test_each_wait_is_one_line_naming_the_operation(caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []
    policy = Retry(attempts=3, backoff=6.0, jitter=0.0, sleep=waits.append)
    failures = [RegistryError(429, method="GET", url="https://gcr.io/v2/p/tags/list")]

    def operation() -> str:
        if failures:
            raise failures.pop()
        return "listed"

    with caplog.at_level("INFO", logger=RETRY_LOGGER):
        assert retrying(operation, "listing gcr.io/p", policy) == "listed"
    assert waits == [6.0]
    assert [r.getMessage() for r in caplog.records] == [
        "listing gcr.io/p failed (GET https://gcr.io/v2/p/tags/list: unexpected status code "
        "429 Too Many Requests), retrying in 6 s (try 2 of 3)"
    ]


def test_a_permanent_error_is_not_repeated() -> None:
    waits: list[float] = []
    policy = Retry(sleep=waits.append)

    def operation() -> str:
        raise RegistryError(404, method="GET", url="https://gcr.io/v2/p/tags/list")

    with pytest.raises(RegistryError):
        retrying(operation, "listing gcr.io/p", policy)
    assert waits == []
