"""The assembled session: TLS, mTLS, headers, pools, errors."""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import threading

import pytest

from containerregistry import transport
from containerregistry.name import new_registry


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made here."""
    d = tmp_path_factory.mktemp("pki")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        cwd=d,
    )
    (d / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    for leaf in ("server", "client"):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={leaf}",
            "-keyout",
            f"{leaf}.key",
            "-out",
            f"{leaf}.csr",
            cwd=d,
        )
        _openssl(
            "x509",
            "-req",
            "-in",
            f"{leaf}.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            "ext.cnf",
            "-out",
            f"{leaf}.pem",
            cwd=d,
        )
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=other",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
        cwd=d,
    )
    return d


@pytest.fixture
def tls_server(pki):
    """An https registry answering 200 on /v2/; with ``require_client`` it wants mTLS."""
    servers = []

    def start(require_client=False):
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(pki / "server.pem", pki / "server.key")
        if require_client:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(pki / "ca.pem")
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
        threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(httpd)
        return f"127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_https_with_a_given_ca_bundle(tls_server, pki):
    host = tls_server()
    session = transport.new(new_registry(host), ca_bundle=str(pki / "ca.pem"))
    assert session.scheme == "https"
    assert session.get(session.url("/v2/")).status_code == 200


def test_wrong_ca_fails_clearly_and_does_not_fall_back_to_http(tls_server, pki):
    host = tls_server()
    registry = new_registry(host)
    with pytest.raises(transport.TransportError, match="cannot reach registry"):
        transport.new(registry, ca_bundle=str(pki / "other.pem"), retry=transport.Retry(attempts=1))


def test_insecure_skips_verification(tls_server):
    host = tls_server()
    session = transport.new(new_registry(host), insecure=True)
    assert session.get(session.url("/v2/")).status_code == 200


def test_client_certificate_for_mtls(tls_server, pki):
    host = tls_server(require_client=True)
    session = transport.new(
        new_registry(host),
        ca_bundle=str(pki / "ca.pem"),
        client_cert=(str(pki / "client.pem"), str(pki / "client.key")),
    )
    assert session.get(session.url("/v2/")).status_code == 200


def test_extra_headers_and_user_agent(serve, kit):
    server = serve(lambda seen: kit.Reply(200))
    session = transport.new(
        new_registry(server.host),
        user_agent_product="crane/0.1.0",
        headers={"X-Meta": "1", "User-Agent": "ignored"},
    )
    session.get(session.url("/v2/x/tags/list"))
    seen = server.seen[-1].headers
    assert seen["x-meta"] == "1"
    assert seen["user-agent"] == f"crane/0.1.0 containerregistry-python/{transport.VERSION}"


def test_connection_failure_after_ping_is_a_transport_error(serve, kit):
    server = serve(lambda seen: kit.Reply(200))
    session = transport.new(new_registry(server.host), retry=transport.Retry(attempts=1))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(transport.TransportError, match="check the network") as info:
        session.get(f"http://127.0.0.1:{port}/v2/x/blobs/sha256:0?sig=abc")
    assert "abc" not in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"pool_size": 0}, "pool_size", id="pool"),
        pytest.param({"insecure": True, "ca_bundle": "x"}, "ca_bundle", id="insecure-and-ca"),
    ],
)
def test_conflicting_options_fail_at_once(kwargs, message):
    with pytest.raises(ValueError, match=message):
        transport.new(new_registry("example.com"), **kwargs)


def test_ca_bundle_may_be_a_hashed_directory(tls_server, pki, tmp_path):
    directory = tmp_path / "cas"
    directory.mkdir()
    (directory / "ca.pem").write_bytes((pki / "ca.pem").read_bytes())
    _openssl("rehash", str(directory), cwd=tmp_path)
    session = transport.new(new_registry(tls_server()), ca_bundle=str(directory))
    assert session.get(session.url("/v2/")).status_code == 200


def test_one_tls_context_serves_every_session_and_connection(tls_server, pki):
    from containerregistry.transport._session import tls_context

    ca = str(pki / "ca.pem")
    hosts = [tls_server(), tls_server()]
    sessions = [transport.new(new_registry(h), ca_bundle=ca) for h in hosts]
    for session in sessions:
        assert session.get(session.url("/v2/")).status_code == 200
    shared = tls_context(ca)
    assert tls_context(ca) is shared
    with_client = tls_context(ca, (str(pki / "client.pem"), str(pki / "client.key")))
    assert with_client is not shared
    insecure = tls_context(False)
    assert (insecure.verify_mode, insecure.check_hostname) == (ssl.CERT_NONE, False)


def test_client_certificate_without_its_key_is_a_clear_error(tls_server, pki):
    with pytest.raises(OSError, match=r"cannot load the TLS client certificate from .*client\.pem"):
        transport.new(
            new_registry(tls_server(require_client=True)),
            ca_bundle=str(pki / "ca.pem"),
            client_cert=str(pki / "client.pem"),
        )


def test_missing_ca_bundle_names_the_path(tls_server, tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(OSError, match=r"invalid path: .*nope\.pem"):
        transport.new(new_registry(tls_server()), ca_bundle=missing)


def test_the_tls_probe_leaves_tls_servers_to_the_ping(tls_server):
    assert transport.ping_probe(tls_server()) is None
    # A server that wants a client certificate fails the hello for a TLS reason.
    assert transport.ping_probe(tls_server(require_client=True)) is None
    # ...and a registry with an http-allowed name that speaks TLS is still https.
    session = transport.new(new_registry(tls_server()), insecure=True)
    assert session.scheme == "https"
