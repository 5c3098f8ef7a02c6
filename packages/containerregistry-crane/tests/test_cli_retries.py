"""What a crane user sees of retries: a rate limit said on stderr, each retry under
--verbose, and one line naming the request and its tries when the budget runs out."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from crane_testkit import run, seed_registry

from containerregistry.registry import Registry, make_server

StartResponse = Callable[..., Any]


class Flaky:
    """Answers the first ``times`` manifest requests (HEAD or GET) with ``status``
    (``Retry-After: 0``), then lets every request through to the registry."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.status = ""
        self.times = 0
        self.answered: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        is_manifest = "/manifests/" in environ.get("PATH_INFO", "")
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


def test_verbose_shows_each_retry(flaky: tuple[str, Flaky]) -> None:
    address, app = flaky
    app.answered.clear()
    app.status, app.times = "503 Service Unavailable", 2
    code, _, stderr = run("--verbose", "digest", f"{address}/a/img:v1")
    assert code == 0
    assert "status 503; try 2 of 5" in stderr
    assert "status 503; try 3 of 5" in stderr
    assert "try 4 of 5" not in stderr


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
