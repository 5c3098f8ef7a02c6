"""SSL_CERT_FILE and SSL_CERT_DIR, read as Go's crane reads them, against a real https
server on loopback whose certificate a private CA (made by the ``pki`` fixture) signed."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from containerregistry import transport
from containerregistry.name import new_registry
from containerregistry.transport._trust import load_trust

_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


@pytest.fixture(autouse=True)
def _no_trust_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the variables it is about; the machine's own are cleared."""
    for name in _VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _pings_over_https(host: str) -> bool:
    session = transport.new(new_registry(host), retry=transport.Retry(attempts=1))
    return session.scheme == "https" and session.get(session.url("/v2/")).status_code == 200


def _verify_fails(host: str) -> bool:
    with pytest.raises(transport.TransportError) as info:
        transport.new(new_registry(host), retry=transport.Retry(attempts=1))
    return "CERTIFICATE_VERIFY_FAILED" in str(info.value)


def test_a_private_ca_is_not_trusted_without_the_variables(tls_server):
    with pytest.raises(transport.TransportError) as info:
        transport.new(new_registry(tls_server()), retry=transport.Retry(attempts=1))
    message = str(info.value)
    assert "CERTIFICATE_VERIFY_FAILED" in message
    assert message.endswith(
        "trust its CA with SSL_CERT_FILE (or REQUESTS_CA_BUNDLE), or use --insecure if you "
        "trust the registry"
    )


def test_ssl_cert_file_trusts_a_private_ca(tls_server, pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "ca.pem"))
    assert _pings_over_https(tls_server())


def test_ssl_cert_file_of_another_ca_is_not_enough(tls_server, pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "other.pem"))
    assert _verify_fails(tls_server())


def test_ssl_cert_dir_trusts_every_pem_file_in_it_as_go_does(
    tls_server, pki, tmp_path, monkeypatch
):
    """No ``openssl rehash``: Go reads every file of the directory, and so do we."""
    directory = tmp_path / "cas"
    directory.mkdir()
    shutil.copy(pki / "ca.pem", directory / "private-ca.crt")
    (directory / "README").write_text("not a certificate\n")
    monkeypatch.setenv("SSL_CERT_DIR", f"{tmp_path / 'missing'}:{directory}")
    assert _pings_over_https(tls_server())


def test_ssl_cert_dir_may_be_a_hashed_directory(tls_server, pki, tmp_path, monkeypatch):
    directory = tmp_path / "hashed"
    directory.mkdir()
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(pki / "ca.pem")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copy(pki / "ca.pem", directory / f"{subject_hash}.0")
    monkeypatch.setenv("SSL_CERT_DIR", str(directory))
    assert _pings_over_https(tls_server())


def test_the_file_and_the_directories_each_add_their_part(tls_server, pki, tmp_path, monkeypatch):
    """SSL_CERT_FILE replaces the bundle file only: the CA may come from SSL_CERT_DIR."""
    directory = tmp_path / "cas"
    directory.mkdir()
    shutil.copy(pki / "ca.pem", directory / "ca.pem")
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "other.pem"))
    monkeypatch.setenv("SSL_CERT_DIR", str(directory))
    assert _pings_over_https(tls_server())


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_requests_variables_come_first(tls_server, pki, monkeypatch, variable):
    monkeypatch.setenv(variable, str(pki / "other.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "ca.pem"))
    assert _verify_fails(tls_server())


def test_an_explicit_ca_bundle_comes_before_the_variables(tls_server, pki, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(pki / "other.pem"))
    session = transport.new(new_registry(tls_server()), ca_bundle=str(pki / "ca.pem"))
    assert session.get(session.url("/v2/")).status_code == 200


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        pytest.param(
            "SSL_CERT_FILE", r"SSL_CERT_FILE names .*nope, which is not a file", id="file"
        ),
        pytest.param("SSL_CERT_DIR", r"SSL_CERT_DIR names no directory that exists", id="dir"),
    ],
)
def test_a_variable_naming_nothing_is_a_clear_error(
    tls_server, tmp_path, monkeypatch, variable, message
):
    monkeypatch.setenv(variable, str(tmp_path / "nope"))
    with pytest.raises(OSError, match=message):
        transport.new(new_registry(tls_server()))


def test_only_unhashed_files_are_read_from_a_hashed_directory(pki, tmp_path):
    """A system directory links NAME.pem from a hashed name: the file is read once, lazily."""
    directory = tmp_path / "system"
    directory.mkdir()
    shutil.copy(pki / "other.pem", directory / "Other_CA.pem")
    (directory / "0a1b2c3d.0").symlink_to(directory / "Other_CA.pem")
    shutil.copy(pki / "ca.pem", directory / "local-ca.pem")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    load_trust(context, str(pki / "client.pem"), str(directory))
    # client.pem is no CA; local-ca.pem is read now; Other_CA.pem is left to the lookup.
    assert context.cert_store_stats()["x509_ca"] == 1
