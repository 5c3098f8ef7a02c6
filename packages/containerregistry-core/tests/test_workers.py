"""workers: waits that a Ctrl-C interrupts, and jobs that stop together."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time

import pytest

from containerregistry import workers


def _chunks(stop: threading.Event, count: int, log: list[int], fail_at: int | None = None) -> int:
    """A job of ``count`` chunks of 10 ms that checks ``stop`` between them."""
    for n in range(count):
        workers.check(stop)
        if n == fail_at:
            raise OSError(f"chunk {n} could not be read")
        time.sleep(0.01)
        log.append(n)
    return count


def test_wait_returns_when_the_needed_jobs_are_done() -> None:
    stop, log = threading.Event(), []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        quick = pool.submit(_chunks, stop, 2, log)
        slow = pool.submit(_chunks, stop, 20, log)
        workers.wait([quick], stop, watched=[quick, slow])
        assert quick.result() == 2
        assert not slow.done()
        workers.wait([slow], stop)
    assert slow.result() == 20
    assert not stop.is_set()


def test_a_failure_stops_the_others_and_is_raised() -> None:
    stop, log = threading.Event(), []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        job = workers.guarded(stop, _chunks)
        futures = [pool.submit(job, stop, 500, log), pool.submit(job, stop, 500, log, fail_at=3)]
        futures += [pool.submit(job, stop, 500, log) for _ in range(3)]  # queued
        started = time.monotonic()
        with pytest.raises(OSError, match="chunk 3 could not be read"):
            workers.wait(futures, stop)
        assert time.monotonic() - started < 2  # not the 5 s the first job would take
    assert stop.is_set()
    for later in futures[2:]:  # not started, or stopped before its first chunk
        assert later.cancelled() or isinstance(later.exception(), workers.Stopped)
    assert len(log) < 100
    assert isinstance(futures[0].exception(), workers.Stopped)


def test_a_failure_of_a_job_not_waited_for_is_raised_too() -> None:
    stop, log = threading.Event(), []
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        job = workers.guarded(stop, _chunks)
        long_one = pool.submit(job, stop, 500, log)
        failing = pool.submit(job, stop, 500, log, fail_at=2)
        with pytest.raises(OSError, match="chunk 2"):
            workers.wait([long_one], stop, watched=[long_one, failing])


def test_an_interrupt_while_waiting_stops_the_jobs_at_once() -> None:
    """SIGINT sent from a worker thread (the kernel may hand it to any thread)."""
    stop, log = threading.Event(), []

    def interrupting() -> None:
        time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(_chunks, stop, 500, log) for _ in range(3)]
        threading.Thread(target=interrupting).start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            workers.wait(futures, stop)
        assert time.monotonic() - started < 1
    assert stop.is_set()
    assert futures[2].cancelled()
    assert len(log) < 100  # the two running jobs stopped after a few chunks each


def test_check_without_an_event_never_stops() -> None:
    workers.check(None)
    event = threading.Event()
    workers.check(event)
    event.set()
    with pytest.raises(workers.Stopped):
        workers.check(event)
