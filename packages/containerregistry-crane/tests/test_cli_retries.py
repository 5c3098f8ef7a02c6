"""What a crane user sees of retries: a rate limit said on stderr, each retry on a
terminal and under --verbose, one line naming the request and its tries when the
budget runs out, and one line at once for a registry that is not there."""

from __future__ import annotations

import os
import pty
import select
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from crane_testkit import run, seed_registry

from containerregistry.registry import Registry, make_server

StartResponse = Callable[..., Any]


class Flaky:
    """Answers the first ``times`` manifest requests (HEAD or GET; only those of
    ``method`` when set) with ``status`` (``Retry-After: 0``), then lets every request
    through to the registry."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.status = ""
        self.times = 0
        self.method = ""
        self.answered: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        is_manifest = "/manifests/" in environ.get("PATH_INFO", "")
        if self.method and environ["REQUEST_METHOD"] != self.method:
            is_manifest = False
        with self._lock:
            fail = is_manifest and self.times > 0
            if fail:
                self.times -= 1
                self.answered.append(self.status)
        if not fail:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        body = b'{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}'
        start_response(
            self.status,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", "0"),
            ],
        )
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]


@pytest.fixture(scope="module")
def flaky() -> Iterator[tuple[str, Flaky]]:
    app = Flaky(Registry())
    server = make_server(app, address="127.0.0.1:0").start()
    address = f"127.0.0.1:{server.port}"
    seed_registry(address)
    try:
        yield address, app
    finally:
        server.stop()


def test_a_rate_limit_is_said_on_stderr_and_waited_out(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.status, app.times = "429 Too Many Requests", 1
    code, stdout, stderr = run("digest", f"{address}/a/img:v1")
    assert code == 0
    assert stdout.decode().startswith("sha256:")
    assert f"rate limited by {address}, retrying in 0 s" in stderr
    assert app.answered == ["429 Too Many Requests"]


def test_verbose_shows_each_retry_once(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 2
    code, _, stderr = run("--verbose", "digest", f"{address}/a/img:v1")
    assert code == 0
    retries = [line for line in stderr.splitlines() if "retrying in" in line]
    assert [line.split(" ", 2)[2] for line in retries] == [
        f"{address} answered 503 to HEAD, retrying in 0 s (try 2 of 5)",
        f"{address} answered 503 to HEAD, retrying in 0 s (try 3 of 5)",
    ]


def test_without_a_terminal_other_retries_are_silent(flaky: tuple[str, Flaky]) -> None:
    """Scripts read crane's stderr: off a terminal it stays as Go's crane keeps it."""
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 2
    code, _, stderr = run("digest", f"{address}/a/img:v1")
    assert code == 0
    assert stderr == ""
    assert len(app.answered) == 2


def _on_a_terminal(*argv: str) -> tuple[int, str]:
    """Run crane in a child process whose stderr is a pseudo-terminal; return the exit
    code and what the terminal showed (stdout goes to a pipe)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "200"}
    child = subprocess.Popen(
        [sys.executable, "-m", "containerregistry.crane.cli", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        code = child.wait(60)
        assert child.stdout is not None
        child.stdout.close()
    return code, shown.decode().replace("\r\n", "\n")


def test_on_a_terminal_each_retry_is_one_line(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 2
    code, shown = _on_a_terminal("digest", f"{address}/a/img:v1")
    assert code == 0, shown
    assert [line.split(" ", 2)[2] for line in shown.splitlines()] == [
        f"{address} answered 503 to HEAD, retrying in 0 s (try 2 of 5)",
        f"{address} answered 503 to HEAD, retrying in 0 s (try 3 of 5)",
    ]


def test_quiet_keeps_the_terminal_free_of_retries(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 1
    code, shown = _on_a_terminal("--quiet", "digest", f"{address}/a/img:v1")
    assert code == 0
    assert shown == ""
    assert len(app.answered) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", ["digest", "manifest", "ls", "catalog"])
def test_a_registry_that_is_not_there_is_one_line_and_no_retry(command: str) -> None:
    """Nothing listens on the port: one try, no fallback, one line saying what to check."""
    from containerregistry.transport._contact import forget_answers

    port = _closed_port()
    forget_answers()
    target = {"ls": f"127.0.0.1:{port}/aa", "catalog": f"127.0.0.1:{port}"}.get(
        command, f"127.0.0.1:{port}/aa:1"
    )
    code, stdout, stderr = run(command, target)
    assert code == 1
    assert stdout == b""
    assert stderr.splitlines() == [
        f"Error: cannot connect to 127.0.0.1:{port}: connection refused "
        "(is the registry running and the port right?)"
    ]


def test_a_registry_that_is_not_there_on_a_terminal_is_one_line() -> None:
    port = _closed_port()
    code, shown = _on_a_terminal("digest", f"127.0.0.1:{port}/aa:1")
    assert code == 1
    assert shown.splitlines() == [
        f"Error: cannot connect to 127.0.0.1:{port}: connection refused "
        "(is the registry running and the port right?)"
    ]


def test_a_spent_budget_is_one_line_with_the_tries(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 5
    code, stdout, stderr = run("manifest", f"{address}/a/img:v1")
    assert code == 1
    assert stdout == b""
    errors = [line for line in stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1
    assert f"{address}/v2/a/img/manifests/v1" in errors[0]
    assert "TOOMANYREQUESTS" in errors[0]
    assert errors[0].endswith("(after 5 tries)")
    assert len(app.answered) == 5


def test_digest_spends_one_budget_when_the_head_spends_its_own(flaky: tuple[str, Flaky]) -> None:
    """Five 503s to the HEAD: no GET fallback with a second budget of five."""
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 5
    code, _, stderr = run("digest", f"{address}/a/img:v1")
    assert code == 1
    assert len(app.answered) == 5
    assert "falling back" not in stderr
    assert stderr.splitlines()[-1].endswith("(after 5 tries)")
    app.times = 0


def test_digest_falls_back_on_get_when_only_the_head_is_refused(
    flaky: tuple[str, Flaky],
) -> None:
    """A 403 to the HEAD alone (a proxy that forbids it): the GET answers, as in crane."""
    address, app = flaky
    app.answered.clear()
    app.status, app.times, app.method = "403 Forbidden", 1, "HEAD"
    try:
        code, stdout, stderr = run("digest", f"{address}/a/img:v1")
    finally:
        app.method = ""
    assert code == 0
    assert stdout.decode().startswith("sha256:")
    assert "HEAD request failed, falling back on GET" in stderr
    assert app.answered == ["403 Forbidden"]


def test_the_python_api_takes_a_retry_policy(flaky: tuple[str, Flaky]) -> None:
    from containerregistry import crane
    from containerregistry.transport import Retry, TransportError

    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 3
    with pytest.raises(TransportError, match=r"\(after 2 tries\)"):
        crane.manifest(f"{address}/a/img:v1", retry=Retry(attempts=2))
    assert len(app.answered) == 2
    app.times = 0
