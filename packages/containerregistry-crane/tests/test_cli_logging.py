"""What the CLIs log on stderr: each line once, with and without --verbose, for crane,
gcrane and kcrane alike (they share crane's root callback and its one handler)."""

from __future__ import annotations

import importlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from crane_testkit import seed_registry
from typer.testing import CliRunner

from containerregistry.crane.cli._progress import Mode, Reporter, covering
from containerregistry.registry import Registry, make_server

StartResponse = Callable[..., Any]

#: Go's log prefix, which every line the reporter prints starts with.
_PREFIX = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ")


class Counting:
    """A WSGI middleware that counts the requests the registry is sent."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._lock:
            self.requests += 1
        return self.app(environ, start_response)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[str, Counting]]:
    app = Counting(Registry())
    server = make_server(app, address="127.0.0.1:0").start()
    address = f"127.0.0.1:{server.port}"
    seed_registry(address)
    try:
        yield address, app
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials of the user, no Kubernetes or Google configuration."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("REGISTRY_AUTH_FILE", str(tmp_path / "auth.json"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    for name in ("KUBERNETES_SERVICE_HOST", "GOOGLE_APPLICATION_CREDENTIALS", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)


def _run(tool: str, *argv: str) -> tuple[int, str]:
    """Run ``tool`` (crane, gcrane or kcrane; skipped when not installed) in-process."""
    module = importlib.import_module("containerregistry.crane.cli")
    if tool != "crane":
        module = pytest.importorskip(f"containerregistry.{tool}.cli")
    result = CliRunner().invoke(module.build_app(argv=list(argv)), list(argv))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


@pytest.mark.parametrize("tool", ["crane", "gcrane", "kcrane"])
def test_verbose_prints_each_line_once(tool: str, counted: tuple[str, Counting]) -> None:
    address, registry = counted
    before = registry.requests
    code, stderr = _run(tool, "--verbose", "copy", f"{address}/a/img:v1", f"{address}/b/{tool}:v1")
    assert code == 0, stderr
    logged = [_PREFIX.sub("", line) for line in stderr.splitlines() if _PREFIX.match(line)]
    copying = f"Copying from {address}/a/img:v1 to {address}/b/{tool}:v1"
    assert logged.count(copying) == 1
    blobs = [line for line in logged if re.match(r"(pushed|existing|mounted) blob: sha256:", line)]
    assert len(blobs) == 3  # the config and two layers, each said once
    assert len(set(blobs)) == 3
    # The debug log shows each request once: as many as the registry answered.
    assert sum(line.startswith("--> ") for line in logged) == registry.requests - before


@pytest.mark.parametrize("tool", ["crane", "gcrane", "kcrane"])
def test_without_verbose_progress_lines_are_printed_once(
    tool: str, counted: tuple[str, Counting]
) -> None:
    address, _ = counted
    code, stderr = _run(tool, "copy", f"{address}/a/img:v1", f"{address}/c/{tool}:v1")
    assert code == 0, stderr
    lines = stderr.splitlines()
    assert len(lines) == len(set(lines))
    assert sum("Copying from" in line for line in lines) == 1


@pytest.mark.parametrize(
    ("names", "covered"),
    [
        pytest.param(
            ["containerregistry.warn", "containerregistry.progress", "containerregistry"],
            ["containerregistry"],
            id="verbose-takes-the-root",
        ),
        pytest.param(
            ["containerregistry.warn", "containerregistry.transport.warning"],
            ["containerregistry.warn", "containerregistry.transport.warning"],
            id="siblings-stay",
        ),
        pytest.param(
            ["containerregistry.transport", "containerregistry.transport.retry", "a.b", "a.bc"],
            ["containerregistry.transport", "a.b", "a.bc"],
            id="prefix-is-not-parent",
        ),
    ],
)
def test_the_handler_goes_only_on_covering_loggers(names: list[str], covered: list[str]) -> None:
    assert covering(names) == covered


class _Terminal:
    """A stream that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("verbose", "retries", "quiet", "shown"),
    [
        pytest.param(False, False, False, ["progress"], id="plain"),
        pytest.param(False, True, False, ["progress", "retry"], id="terminal"),
        pytest.param(False, True, True, [], id="terminal-quiet"),
        pytest.param(True, False, False, ["progress", "retry", "debug"], id="verbose"),
        pytest.param(True, True, True, ["progress", "retry", "debug"], id="verbose-quiet"),
    ],
)
def test_each_record_reaches_the_stream_at_most_once(
    verbose: bool, retries: bool, quiet: bool, shown: list[str]
) -> None:
    stream = _Terminal()
    reporter = Reporter(Mode.QUIET if quiet else Mode.PLAIN, stream=stream)  # type: ignore[arg-type]
    reporter.install(verbose=verbose, retries=retries)
    try:
        logging.getLogger("containerregistry.progress").info("progress")
        logging.getLogger("containerregistry.transport.retry").info("retry")
        logging.getLogger("containerregistry.debug").debug("debug")
        logging.getLogger("containerregistry.warn").warning("warn")
    finally:
        reporter.close()
    lines = [_PREFIX.sub("", line) for line in stream.text.splitlines()]
    assert lines == [*shown, "warn"]
    # Closed, it leaves no handler behind on any logger of the library.
    for name in ("containerregistry", "containerregistry.progress", "containerregistry.warn"):
        assert reporter not in logging.getLogger(name).handlers
