"""The retry layer: which statuses and errors are retried, how long it waits."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
import requests

from containerregistry import transport
from containerregistry.transport._contact import forget_answers
from containerregistry.transport._retry import RetryLayer


def _session(policy):
    session = requests.Session()
    layer = RetryLayer(requests.adapters.HTTPAdapter(), policy)
    session.mount("http://", layer)
    return session


def _recording(**kwargs):
    waits: list[float] = []
    return transport.Retry(sleep=waits.append, **kwargs), waits


@pytest.mark.parametrize(
    ("statuses", "expected_requests", "final"),
    [
        pytest.param([503, 503, 200], 3, 200, id="503-twice-then-ok"),
        pytest.param([500, 200], 2, 200, id="500"),
        pytest.param([499, 200], 2, 200, id="499-nginx"),
        pytest.param([522, 200], 2, 200, id="522-cloudflare"),
        pytest.param([408, 200], 2, 200, id="408"),
        pytest.param([502, 502, 502, 502, 502, 200], 5, 502, id="gives-up-after-5"),
        pytest.param([404, 200], 1, 404, id="404-not-retried"),
        pytest.param([401, 200], 1, 401, id="401-not-retried"),
    ],
)
def test_status_codes(serve, kit, statuses, expected_requests, final):
    answers = iter(statuses)
    server = serve(lambda seen: kit.Reply(next(answers)))
    policy, waits = _recording()
    response = _session(policy).get(server.url + "/v2/")
    assert response.status_code == final
    assert len(server.seen) == expected_requests
    assert len(waits) == expected_requests - 1


def test_backoff_doubles_up_to_the_cap_without_jitter(serve, kit):
    server = serve(lambda seen: kit.Reply(503))
    policy, waits = _recording(attempts=7, backoff=1.0, jitter=0.0, max_wait=10.0)
    _session(policy).get(server.url + "/v2/")
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_full_jitter_draws_each_wait_below_its_ceiling():
    policy = transport.Retry()
    for attempt, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 30.0), (9, 30.0)]:
        waits = [policy.delay(attempt) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) - min(waits) > ceiling / 4  # spread out, not in lockstep


def test_the_default_policy_is_five_tries_capped_at_30_seconds():
    policy = transport.Retry()
    assert (policy.attempts, policy.backoff, policy.max_wait, policy.jitter) == (5, 1.0, 30.0, 1.0)


def test_each_retry_is_one_line_on_the_retry_logger(serve, kit, caplog):
    answers = iter([kit.Reply(503, {"Retry-After": "2"}), kit.Reply(502), kit.Reply(200)])
    server = serve(lambda seen: next(answers))
    policy, waits = _recording(jitter=0.0)
    with caplog.at_level("INFO", logger=transport.RETRY_LOGGER):
        assert _session(policy).get(server.url + "/v2/").status_code == 200
    assert waits == [2.0, 2.0]
    assert {r.name for r in caplog.records} == {transport.RETRY_LOGGER}
    assert [r.getMessage() for r in caplog.records] == [
        f"{server.host} answered 503 to GET, retrying in 2 s (try 2 of 5)",
        f"{server.host} answered 502 to GET, retrying in 2 s (try 3 of 5)",
    ]


def test_a_429_wait_is_told_as_a_rate_limit(serve, kit, caplog):
    answers = iter([kit.Reply(429, {"Retry-After": "12"}), kit.Reply(200)])
    server = serve(lambda seen: next(answers))
    policy, waits = _recording()
    with caplog.at_level("INFO", logger="containerregistry.progress"):
        assert _session(policy).get(server.url + "/v2/").status_code == 200
    assert waits == [12.0]
    assert [r.getMessage() for r in caplog.records if r.name == "containerregistry.progress"] == [
        f"rate limited by {server.host}, retrying in 12 s"
    ]


@contextlib.contextmanager
def _raw_server(answers: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """A socket server that takes one connection per answer, reads the request, sends
    the answer's raw bytes (b"": none) and hangs up; yields its URL and the requests."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    received: list[bytes] = []

    def serve() -> None:
        for answer in answers:
            conn, _ = listener.accept()
            received.append(conn.recv(65536))
            conn.sendall(answer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        thread.join(5)
        listener.close()


_CUT = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123"
_WHOLE = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"


def test_a_body_cut_short_is_retried():
    """The answer says 10 bytes and sends 4, then hangs up: a cut, tried again."""
    policy, waits = _recording()
    with _raw_server([_CUT, _WHOLE]) as (url, received):
        response = _session(policy).get(url + "/v2/x")
    assert response.content == b"0123456789"
    assert len(received) == 2
    assert len(waits) == 1


def test_a_body_cut_short_every_time_says_so():
    policy, _ = _recording(attempts=2)
    with (
        _raw_server([_CUT, _CUT]) as (url, _),
        pytest.raises(requests.exceptions.ChunkedEncodingError) as caught,
    ):
        _session(policy).get(url + "/v2/x")
    assert str(caught.value) == "the answer was cut short after 4 of 10 bytes"
    assert caught.value.tries == 2


def test_an_answer_over_the_limit_is_refused_unread(serve, kit, monkeypatch):
    monkeypatch.setattr("containerregistry.transport._retry.MAX_RESPONSE_BODY", 8)
    server = serve(lambda seen: kit.Reply(200, body=b"0123456789"))
    policy, waits = _recording()
    with pytest.raises(transport.ResponseTooLargeError, match="10 bytes, over the 8"):
        _session(policy).get(server.url + "/v2/")
    assert waits == []


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured(serve, kit, status):
    answers = iter([kit.Reply(status, {"Retry-After": "7"}), kit.Reply(200)])
    server = serve(lambda seen: next(answers))
    policy, waits = _recording()
    assert _session(policy).get(server.url + "/v2/").status_code == 200
    assert waits == [7.0]


def test_retry_after_beyond_the_cap_returns_the_response(serve, kit):
    server = serve(lambda seen: kit.Reply(429, {"Retry-After": "3600"}))
    policy, waits = _recording()
    assert _session(policy).get(server.url + "/v2/").status_code == 429
    assert waits == []
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        pytest.param(7.0, 7.0, id="honoured"),
        pytest.param(60.0, 60.0, id="at-the-cap"),
        pytest.param(61.0, None, id="beyond-the-cap-do-not-retry"),
        pytest.param(None, 1.0, id="none-backoff"),
    ],
)
def test_delay_takes_an_error_retry_after(retry_after, expected):
    policy = transport.Retry(jitter=0.0)
    assert policy.delay(1, retry_after=retry_after) == expected


def _closed_port() -> int:
    """A port nothing listens on (bound, then closed), forgotten by the contact record."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    forget_answers()  # an earlier test's server may have had this port
    return port


def test_a_host_that_never_answered_and_refuses_fails_at_once(caplog):
    """Nothing listens and nothing ever did: waiting cannot help, so there is one try."""
    port = _closed_port()
    policy, waits = _recording()
    with (
        caplog.at_level("INFO", logger="containerregistry"),
        pytest.raises(requests.ConnectionError) as caught,
    ):
        _session(policy).get(f"http://127.0.0.1:{port}/v2/")
    assert caught.value.tries == 1
    assert waits == []
    assert caplog.records == []


@contextlib.contextmanager
def _answers_then_closes(answers: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """A socket server that takes one connection per answer (sent raw, then it hangs
    up), then stops listening: later connections are refused. Yields its URL and the
    requests it read."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    received: list[bytes] = []
    done = threading.Event()

    def serve() -> None:
        for index, answer in enumerate(answers):
            conn, _ = listener.accept()
            received.append(conn.recv(65536))
            if index == len(answers) - 1:
                # Stop listening before the last answer goes out: a client that
                # reconnects at once must be refused, not reset from the backlog.
                listener.close()
            conn.sendall(answer)
            conn.close()
        done.set()

    forget_answers()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        thread.join(5)
        listener.close()


_EMPTY_200 = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_a_refusal_after_the_host_answered_keeps_the_whole_budget(caplog):
    """The host answered once, then stopped listening (a registry restarting behind its
    balancer): the refusals are tried again, 5 tries, each wait said on the retry log."""
    policy, waits = _recording()
    with _answers_then_closes([_EMPTY_200]) as (url, received):
        session = _session(policy)
        assert session.get(url + "/v2/").status_code == 200
        with (
            caplog.at_level("INFO", logger=transport.RETRY_LOGGER),
            pytest.raises(requests.ConnectionError) as caught,
        ):
            session.get(url + "/v2/x/manifests/v1")
    host = url.removeprefix("http://")
    assert caught.value.tries == 5
    assert len(waits) == 4
    assert len(received) == 1
    lines = [r.getMessage() for r in caplog.records]
    assert [line.split(", retrying in ")[0] for line in lines] == [
        f"connection to {host} refused"
    ] * 4
    assert [line.rsplit(" (", 1)[1] for line in lines] == [
        "try 2 of 5)",
        "try 3 of 5)",
        "try 4 of 5)",
        "try 5 of 5)",
    ]


def test_an_answer_cut_short_then_refusals_keep_the_whole_budget(caplog):
    """The host answered the ping, then dropped the next answer mid-body and went away:
    the cut and every refusal after it are tried again, within one budget of 5."""
    policy, waits = _recording()
    with _answers_then_closes([_EMPTY_200, _CUT]) as (url, received):
        session = _session(policy)
        assert session.get(url + "/v2/").status_code == 200
        with (
            caplog.at_level("INFO", logger=transport.RETRY_LOGGER),
            pytest.raises(requests.ConnectionError) as caught,
        ):
            session.get(url + "/v2/x/manifests/v1")
    host = url.removeprefix("http://")
    assert caught.value.tries == 5
    assert len(waits) == 4
    assert len(received) == 2
    assert [r.getMessage().split(", retrying in ")[0] for r in caplog.records] == [
        f"the answer from {host} was cut short",
        f"connection to {host} refused",
        f"connection to {host} refused",
        f"connection to {host} refused",
    ]


def test_an_unknown_host_fails_at_once():
    policy, waits = _recording()
    with pytest.raises(requests.ConnectionError):
        _session(policy).get("http://no-such-host.invalid/v2/")
    assert waits == []


def test_dropped_connections_are_retried_then_raised():
    """A server that accepts and hangs up at once: a reset is worth retrying."""
    policy, waits = _recording()
    with (
        _raw_server([b""] * 5) as (url, received),
        pytest.raises(requests.ConnectionError),
    ):
        _session(policy).get(url + "/v2/")
    assert len(waits) == 4
    assert len(received) == 5


def test_failures_are_described_by_their_cause():
    from containerregistry.transport._errors import describe_failure, root_cause

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get(f"http://127.0.0.1:{port}/v2/", timeout=5)
    assert isinstance(root_cause(caught.value), ConnectionRefusedError)
    assert describe_failure(caught.value) == ("ConnectionError: [Errno 111] Connection refused")


def test_no_retry_block_sends_once(serve, kit):
    server = serve(lambda seen: kit.Reply(503))
    policy, _ = _recording()
    with transport.no_retry():
        assert _session(policy).get(server.url + "/v2/").status_code == 503
    assert len(server.seen) == 1


def test_one_shot_bodies_are_not_resent(serve, kit):
    server = serve(lambda seen: kit.Reply(503))
    policy, _ = _recording()
    response = _session(policy).put(server.url + "/upload", data=iter([b"a", b"b"]))
    assert response.status_code == 503
    assert len(server.seen) == 1


def test_file_bodies_are_rewound(serve, kit, tmp_path):
    answers = iter([503, 201])
    server = serve(lambda seen: kit.Reply(next(answers)))
    path = tmp_path / "blob"
    path.write_bytes(b"0123456789")
    policy, _ = _recording()
    with path.open("rb") as body:
        assert _session(policy).put(server.url + "/upload", data=body).status_code == 201
    assert [s.body for s in server.seen] == [b"0123456789", b"0123456789"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"attempts": 0}, "attempts", id="attempts"),
        pytest.param({"factor": 0.5}, "factor", id="factor"),
    ],
)
def test_bad_policies_fail_at_once(kwargs, message):
    with pytest.raises(ValueError, match=message):
        transport.Retry(**kwargs)


def test_default_status_codes_match_crane():
    expected = {408, 429, 499, 500, 502, 503, 504, 522}
    assert expected == transport.RETRY_STATUS_CODES


def test_a_rate_limit_notice_never_shows_credentials_of_the_url(serve, kit, caplog):
    answers = iter([kit.Reply(429, {"Retry-After": "0"}), kit.Reply(200)])
    server = serve(lambda seen: next(answers))
    policy, _ = _recording()
    with caplog.at_level("INFO", logger="containerregistry"):
        url = f"http://user:s3cret@{server.host}/v2/"
        assert _session(policy).get(url).status_code == 200
    shown = "\n".join(r.getMessage() for r in caplog.records)
    assert f"rate limited by {server.host}, retrying in 0 s" in shown
    assert "s3cret" not in shown


def test_retry_lines_never_show_credentials_of_the_url(caplog):
    """A status and a refusal after an answer, both on a URL with user info."""
    policy, _ = _recording()
    busy = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
    with _answers_then_closes([_EMPTY_200, busy]) as (url, _):
        secret = url.replace("http://", "http://user:s3cret@")
        session = _session(policy)
        assert session.get(secret + "/v2/").status_code == 200
        with (
            caplog.at_level("INFO", logger="containerregistry"),
            pytest.raises(requests.ConnectionError),
        ):
            session.get(secret + "/v2/x/manifests/v1?token=abc")
    shown = [r.getMessage() for r in caplog.records]
    host = url.removeprefix("http://")
    assert shown[0].startswith(f"{host} answered 503 to GET, retrying in ")
    assert shown[1].startswith(f"connection to {host} refused, retrying in ")
    assert not any("s3cret" in line or "user" in line or "abc" in line for line in shown)
