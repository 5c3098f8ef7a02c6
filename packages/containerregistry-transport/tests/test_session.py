"""The assembled session: TLS, mTLS, headers, pools, errors."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading

import pytest

from containerregistry import transport
from containerregistry.name import new_registry


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


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
    with pytest.raises(transport.TransportError) as info:
        session.get(f"http://127.0.0.1:{port}/v2/x/blobs/sha256:0?sig=abc")
    assert str(info.value) == (
        f"GET http://127.0.0.1:{port}/v2/x/blobs/sha256:0?sig=REDACTED: cannot connect to "
        f"127.0.0.1:{port}: connection refused (is the registry running and the port right?)"
    )


def test_a_reset_after_ping_names_the_request_and_the_tries(serve, kit):
    """Not an unreachable host: the generic line, with the tries and what to check."""
    server = serve(lambda seen: kit.Reply(200))
    session = transport.new(new_registry(server.host), retry=transport.Retry(attempts=2, backoff=0))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)

    def hang_up() -> None:
        for _ in range(2):
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    with pytest.raises(transport.TransportError) as info:
        session.get(f"http://user:s3cret@127.0.0.1:{port}/v2/")
    thread.join(5)
    listener.close()
    message = str(info.value)
    assert message.startswith(f"GET http://REDACTED@127.0.0.1:{port}/v2/: ConnectionError")
    assert message.endswith("(after 2 tries); check the network and that the registry is up")
    assert "s3cret" not in message


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
