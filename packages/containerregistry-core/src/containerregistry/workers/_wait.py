"""Waiting for jobs in short steps, and stopping every job when one fails.

A Ctrl-C is a signal to the process, and the kernel may hand it to a worker thread
(one blocked in ``recv``, say). Python then runs the handler in the main thread, but
a main thread blocked in ``future.result()`` is not woken: it would notice the
Ctrl-C only when that future finished, a whole layer later. :func:`wait` waits in
steps of :data:`POLL_SECONDS` instead.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable, Collection
from typing import Any, ParamSpec, TypeVar

#: How often a waiting thread wakes to notice a Ctrl-C or a failed job.
POLL_SECONDS = 0.1

P = ParamSpec("P")
R = TypeVar("R")


class Stopped(Exception):
    """A job gave up between two chunks because another job failed or the user
    interrupted; :func:`wait` raises the cause instead."""


def check(stop: threading.Event | None) -> None:
    """Raise :class:`Stopped` if ``stop`` (None: never) is set. Jobs call it between chunks."""
    if stop is not None and stop.is_set():
        raise Stopped()


def guarded(stop: threading.Event, job: Callable[P, R]) -> Callable[P, R]:
    """``job``, setting ``stop`` when it fails, so that the other jobs stop at their next
    :func:`check` even while nobody is waiting for this one; once ``stop`` is set,
    a job that had not started yet raises :class:`Stopped` without running."""

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        check(stop)  # a job queued behind a failure never starts
        try:
            return job(*args, **kwargs)
        except BaseException:
            stop.set()
            raise

    return run


def wait(
    needed: Collection[concurrent.futures.Future[Any]],
    stop: threading.Event,
    *,
    watched: Collection[concurrent.futures.Future[Any]] = (),
) -> None:
    """Return once every future of ``needed`` is done; raise when a job fails first.

    ``watched`` (default: none besides ``needed``) are further jobs whose failure
    counts too. On a failure, and on a Ctrl-C (or any exception) while waiting,
    ``stop`` is set and the jobs not started are cancelled. After a failure this
    waits for the running jobs (they stop at their next :func:`check`) and raises
    the first failure in ``watched`` then ``needed`` order that is not
    :class:`Stopped`; an interruption is raised at once.
    """
    everything = [*watched, *(f for f in needed if f not in watched)]
    pending = set(needed)
    try:
        while pending and not stop.is_set():
            _, pending = concurrent.futures.wait(
                pending, timeout=POLL_SECONDS, return_when=concurrent.futures.FIRST_EXCEPTION
            )
            if any(_failure(future) is not None for future in everything):
                stop.set()
    except BaseException:
        stop.set()
        _cancel(everything)
        raise
    if not stop.is_set():
        return
    _cancel(everything)
    while not all(future.done() for future in everything):  # the running ones stop soon
        concurrent.futures.wait(everything, timeout=POLL_SECONDS)
    failures = [
        error
        for future in everything
        if (error := _failure(future)) is not None and not isinstance(error, Stopped)
    ]
    raise failures[0] if failures else Stopped()


def _failure(future: concurrent.futures.Future[Any]) -> BaseException | None:
    if not future.done() or future.cancelled():
        return None
    return future.exception()


def _cancel(futures: Collection[concurrent.futures.Future[Any]]) -> None:
    for future in futures:
        future.cancel()
