"""The record of hosts that answered: one per host and port, for every thread."""

from __future__ import annotations

import threading

import pytest

from containerregistry.transport._contact import (
    address_of,
    forget_answers,
    has_answered,
    record_answer,
)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        pytest.param("https://Registry.Example/v2/", "registry.example:443", id="https-port"),
        pytest.param("http://registry.example/v2/", "registry.example:80", id="http-port"),
        pytest.param("http://127.0.0.1:5000/v2/x", "127.0.0.1:5000", id="given-port"),
        pytest.param("https://user:pw@gcr.io/v2/", "gcr.io:443", id="no-user-info"),
        pytest.param("http://[::1]:5000/v2/", "[::1]:5000", id="ipv6"),
    ],
)
def test_an_address_is_the_host_and_the_port_the_connection_goes_to(url, address):
    assert address_of(url) == address


def test_an_answer_is_remembered_for_its_host_and_port_only():
    forget_answers()
    record_answer(address_of("http://127.0.0.1:5000/v2/"))
    assert has_answered(address_of("http://127.0.0.1:5000/v2/x/manifests/v1"))
    assert has_answered(address_of("https://127.0.0.1:5000/v2/"))  # same port, other scheme
    assert not has_answered(address_of("http://127.0.0.1:5001/v2/"))
    assert not has_answered(address_of("http://127.0.0.1/v2/"))
    forget_answers()
    assert not has_answered(address_of("http://127.0.0.1:5000/v2/"))


def test_answers_recorded_from_many_threads_are_all_kept():
    forget_answers()
    start = threading.Barrier(16)

    def record(worker: int) -> None:
        start.wait()
        for port in range(worker * 100, worker * 100 + 100):
            record_answer(f"127.0.0.1:{port}")

    threads = [threading.Thread(target=record, args=(w,)) for w in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(has_answered(f"127.0.0.1:{port}") for port in range(1600))
    forget_answers()
