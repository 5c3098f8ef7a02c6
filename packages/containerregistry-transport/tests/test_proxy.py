"""Proxies come from the environment: HTTP_PROXY, NO_PROXY, credentials in the URL."""

from __future__ import annotations

import base64
import socket

import pytest

from containerregistry import transport


def _closed_port() -> int:
    """A loopback port nothing listens on: a direct connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_registry(kit):
    """A handler answering the ping and one tags list, as a registry would."""

    def handle(seen):
        if seen.route == "/v2/":
            return kit.Reply(200)
        return kit.Reply(200, {"Content-Type": "application/json"}, b'{"tags":["v1"]}')

    return handle


def test_requests_go_through_http_proxy(serve, kit, monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = serve(_as_registry(kit))
    target = f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "")
    session = transport.new(kit.FakeRegistry(target))
    for _ in range(3):
        answer = session.get(session.url("/v2/repo/tags/list"))
        assert answer.json() == {"tags": ["v1"]}
    # A proxy is sent the absolute URL of the registry; nothing reached it directly.
    assert [s.path for s in proxy.seen] == [f"http://{target}/v2/"] + [
        f"http://{target}/v2/repo/tags/list"
    ] * 3


def test_proxy_credentials_go_to_the_proxy_only(
    serve, kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(_as_registry(kit))
    target = f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("HTTP_PROXY", f"http://pat:s3cret@{proxy.host}")
    monkeypatch.setenv("NO_PROXY", "")
    session = transport.new(kit.FakeRegistry(target))
    session.get(session.url("/v2/repo/tags/list"))
    wanted = "Basic " + base64.b64encode(b"pat:s3cret").decode()
    assert {s.headers.get("proxy-authorization") for s in proxy.seen} == {wanted}
    assert all("authorization" not in s.headers for s in proxy.seen)


def test_no_proxy_reaches_the_registry_directly(
    serve, kit, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = serve(_as_registry(kit))
    registry = serve(_as_registry(kit))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    session = transport.new(kit.FakeRegistry(registry.host))
    assert session.get(session.url("/v2/repo/tags/list")).json() == {"tags": ["v1"]}
    assert proxy.seen == []
    assert registry.routes() == ["GET /v2/", "GET /v2/repo/tags/list"]


def test_an_unreachable_proxy_is_a_clear_error(kit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:pw@127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    with pytest.raises(transport.TransportError) as caught:
        transport.new(
            kit.FakeRegistry(f"127.0.0.1:{_closed_port()}"), retry=transport.Retry(attempts=1)
        )
    message = str(caught.value)
    assert "ProxyError" in message
    assert "pw" not in message
