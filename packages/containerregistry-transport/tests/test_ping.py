"""Pinging /v2/: challenges, scheme fallback, errors."""

from __future__ import annotations

import pytest
import requests

from containerregistry import transport


@pytest.mark.parametrize(
    ("status", "header", "scheme", "params"),
    [
        pytest.param(200, None, None, {}, id="anonymous"),
        pytest.param(401, 'Basic realm="r"', "basic", {"realm": "r"}, id="basic"),
        pytest.param(
            401,
            'Bearer realm="https://a/t",service="s",scope="repository:x:pull"',
            "bearer",
            {"realm": "https://a/t", "service": "s", "scope": "repository:x:pull"},
            id="bearer",
        ),
        pytest.param(401, 'Negotiate, Basic realm="r"', "basic", {"realm": "r"}, id="multiple"),
        pytest.param(401, None, "basic", {}, id="401-without-header-means-basic"),
    ],
)
def test_ping_challenges(serve, kit, status, header, scheme, params):
    headers = {"WWW-Authenticate": header} if header else {}
    server = serve(lambda seen: kit.Reply(status, headers))
    result = transport.ping(kit.FakeRegistry(server.host), requests.Session())
    assert result.scheme == "http"
    if scheme is None:
        assert result.challenge is None
    else:
        assert result.challenge == transport.Challenge(scheme, params)
    assert server.routes() == ["GET /v2/"]


def test_ping_refuses_only_unsupported_schemes(serve, kit):
    server = serve(lambda seen: kit.Reply(401, {"WWW-Authenticate": "Negotiate"}))
    with pytest.raises(transport.TransportError, match="negotiate"):
        transport.ping(kit.FakeRegistry(server.host), requests.Session())


def test_ping_error_status_is_a_registry_error(serve, kit):
    server = serve(lambda seen: kit.Reply(500, body=b"boom"))
    with pytest.raises(transport.RegistryError) as info:
        transport.ping(kit.FakeRegistry(server.host), requests.Session())
    assert info.value.status == 500
    assert info.value.method == "GET"


def test_no_http_fallback_for_https_only_registries(serve, kit):
    server = serve(lambda seen: kit.Reply(200))
    registry = kit.FakeRegistry(server.host, scheme="https")
    with pytest.raises(transport.TransportError, match="cannot reach registry") as info:
        transport.ping(registry, requests.Session())
    assert "http:" not in str(info.value).replace("https:", "")
    assert server.seen == []  # the TLS handshake never became a request


def test_connection_refused_on_both_schemes_is_one_short_line(kit):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(transport.TransportError) as info:
        transport.ping(kit.FakeRegistry(f"127.0.0.1:{port}"), requests.Session())
    assert str(info.value) == (
        f"cannot connect to 127.0.0.1:{port}: connection refused "
        "(is the registry running and the port right?)"
    )


def test_an_unknown_host_is_one_short_line(kit):
    with pytest.raises(transport.TransportError) as info:
        transport.ping(kit.FakeRegistry("no-such-host.invalid", scheme="https"), requests.Session())
    assert str(info.value) == (
        "cannot connect to no-such-host.invalid: unknown host (is the registry's name right?)"
    )


class _TLSRefusingAdapter(requests.adapters.BaseAdapter):
    """https fails certificate verification; http gets what an https-only server says."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if request.url.startswith("https://"):
            raise requests.exceptions.SSLError(
                "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                "unable to get local issuer certificate"
            )
        response = requests.Response()
        response.status_code = 400
        response._content = b"Client sent an HTTP request to an HTTPS server.\n"
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


def test_a_certificate_failure_is_not_hidden_by_the_http_fallback(kit, monkeypatch):
    # The adapters stand for a TLS server on the port; the probe would find none there.
    monkeypatch.setattr("containerregistry.transport._ping.ping_probe", lambda host: None)
    session = requests.Session()
    session.mount("https://", _TLSRefusingAdapter())
    session.mount("http://", _TLSRefusingAdapter())
    with pytest.raises(transport.TransportError) as info:
        transport.ping(kit.FakeRegistry("127.0.0.1:5443"), session)
    assert not isinstance(info.value, transport.RegistryError)
    message = str(info.value)
    assert message.index("CERTIFICATE_VERIFY_FAILED") < message.index("400")
    assert "127.0.0.1:5443" in message
    assert "--insecure" in message


class _Recording(requests.adapters.HTTPAdapter):
    """requests' adapter that notes every URL it is asked to send."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def send(self, request, *args, **kwargs):
        self.urls.append(request.url)
        return super().send(request, *args, **kwargs)


def _recording_session():
    session, adapter = requests.Session(), _Recording()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session, adapter


def test_a_plain_http_port_gets_no_https_ping(serve, kit):
    server = serve(lambda seen: kit.Reply(200))
    assert transport.ping_probe(server.host) in {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"}
    session, adapter = _recording_session()
    assert transport.ping(kit.FakeRegistry(server.host), session).scheme == "http"
    assert adapter.urls == [f"http://{server.host}/v2/"]
    assert server.routes() == ["GET /v2/"]


def test_a_closed_port_skips_the_https_ping(kit):
    """Nothing listens: the probe says so, and only the http ping (with its retries) goes out."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        host = f"127.0.0.1:{sock.getsockname()[1]}"
    assert transport.ping_probe(host) == "connection refused"
    session, adapter = _recording_session()
    with pytest.raises(transport.TransportError, match="cannot connect to"):
        transport.ping(kit.FakeRegistry(host), session)
    assert adapter.urls == [f"http://{host}/v2/"]


def test_behind_a_proxy_the_https_ping_is_sent(serve, kit, monkeypatch):
    """A probe would go around the proxy, so with one the https ping is tried as ever."""
    registry = serve(lambda seen: kit.Reply(200))
    proxy = serve(lambda seen: kit.Reply(502))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "")
    session, adapter = _recording_session()
    assert transport.ping(kit.FakeRegistry(registry.host), session).scheme == "http"
    assert adapter.urls == [f"https://{registry.host}/v2/", f"http://{registry.host}/v2/"]
