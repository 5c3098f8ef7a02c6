"""The library's loggers are quiet until a handler and a level let records through."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from containerregistry import logs


@pytest.fixture
def clean_debug_logger() -> Iterator[logging.Logger]:
    logger = logs.debug
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


def test_quiet_by_default(clean_debug_logger: logging.Logger) -> None:
    assert not logs.enabled(clean_debug_logger)


def test_enabled_with_handler_and_level(clean_debug_logger: logging.Logger) -> None:
    handler = logging.StreamHandler()
    clean_debug_logger.addHandler(handler)
    clean_debug_logger.setLevel(logging.DEBUG)
    assert logs.enabled(clean_debug_logger)


def test_handler_without_level_is_not_enough(clean_debug_logger: logging.Logger) -> None:
    clean_debug_logger.addHandler(logging.StreamHandler())
    clean_debug_logger.setLevel(logging.WARNING)
    assert not logs.enabled(clean_debug_logger)
    assert logs.enabled(clean_debug_logger, level=logging.WARNING)


def test_caplog_on_the_logger_enables_it(
    clean_debug_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="containerregistry.debug"):
        assert logs.enabled(clean_debug_logger)
        clean_debug_logger.debug("GET /v2/")
    assert caplog.messages == ["GET /v2/"]


def test_non_propagating_logger_without_handler(clean_debug_logger: logging.Logger) -> None:
    clean_debug_logger.setLevel(logging.DEBUG)
    clean_debug_logger.propagate = False
    assert not logs.enabled(clean_debug_logger)
