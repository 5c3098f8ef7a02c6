"""``remote`` and the ``crane`` CLI against real registry:2 containers that want basic
auth (htpasswd) or serve https with a certificate from a CA made in the test.

Each crane command runs the real entry point (``python -m containerregistry.crane.cli``)
in a child process with its own ``DOCKER_CONFIG``; skopeo reads what we wrote as an
independent client.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from containerregistry import authn, name, random, remote
from containerregistry.transport import RegistryError, TransportError
from containerregistry.v1 import Image

# --- helpers -----------------------------------------------------------------------------


def crane(*argv: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    """Run the crane CLI in a child process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "containerregistry.crane.cli", *argv],
        env=env,
        input=stdin.decode(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def skopeo_digest(skopeo: str, ref: str, *flags: str) -> str:
    """The manifest digest skopeo sees at ``ref`` (``docker://`` is added)."""
    done = subprocess.run(
        [skopeo, "inspect", *flags, f"docker://{ref}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return str(json.loads(done.stdout)["Digest"])


def error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The one ``Error:`` line a failed command prints last (crane's log lines may precede
    it, e.g. "HEAD request failed, falling back on GET")."""
    lines = done.stderr.strip().splitlines()
    assert [line for line in lines if line.startswith("Error: ")] == lines[-1:], done.stderr
    return lines[-1]


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """A child environment whose only credentials are in a fresh ``DOCKER_CONFIG``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "XDG_RUNTIME_DIR")
    }
    env.update(
        DOCKER_CONFIG=str(tmp_path / "docker"),
        REGISTRY_AUTH_FILE=str(tmp_path / "auth.json"),
        HOME=str(tmp_path / "home"),
    )
    return env


@pytest.fixture
def keychain_env(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The same files for this process's default keychain."""
    for key in ("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "HOME"):
        monkeypatch.setenv(key, environment[key])
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return environment


# --- htpasswd basic auth -----------------------------------------------------------------


@pytest.fixture(scope="module")
def pushed(registry2_htpasswd: tuple[str, str, str]) -> tuple[str, Image]:
    """An image of 3 layers written with basic auth to ``<locked>/auth/src:v1``."""
    address, user, password = registry2_htpasswd
    image = random.image(64 * 1024, 3, seed=41)
    ref = f"{address}/auth/src:v1"
    remote.write(name.parse_reference(ref), image, authenticator=authn.Basic(user, password))
    return ref, image


def test_crane_login_then_copy_out_and_back_in(
    registry2_htpasswd: tuple[str, str, str],
    registry2_address: str,
    pushed: tuple[str, Image],
    keychain_env: dict[str, str],
    skopeo: str,
) -> None:
    address, user, password = registry2_htpasswd
    source, image = pushed
    env = keychain_env

    login = crane("auth", "login", address, "-u", user, "--password-stdin", env=env,
                  stdin=password.encode())  # fmt: skip
    assert login.returncode == 0, login.stderr
    assert password not in login.stdout + login.stderr
    config = json.loads((Path(env["DOCKER_CONFIG"]) / "config.json").read_text())
    assert base64.b64decode(config["auths"][address]["auth"]) == f"{user}:{password}".encode()
    assert (Path(env["DOCKER_CONFIG"]) / "config.json").stat().st_mode & 0o777 == 0o600

    digest = crane("digest", source, env=env)
    assert (digest.returncode, digest.stdout) == (0, f"{image.digest()}\n")

    # Out of the locked registry into the plain one, then back in under a new name.
    outside = f"{registry2_address}/auth/copied-out:v1"
    copied = crane("copy", source, outside, env=env)
    assert copied.returncode == 0, copied.stderr
    back = f"{address}/auth/copied-back:v2"
    copied = crane("copy", outside, back, env=env)
    assert copied.returncode == 0, copied.stderr

    creds = ("--tls-verify=false", "--creds", f"{user}:{password}")
    assert skopeo_digest(skopeo, back, *creds) == str(image.digest())
    assert skopeo_digest(skopeo, outside, "--tls-verify=false") == str(image.digest())

    # remote with the default keychain: the config crane wrote is all it has.
    pulled = remote.image(name.parse_reference(back))
    assert pulled.digest() == image.digest()
    assert [layer.digest() for layer in pulled.layers()] == [
        layer.digest() for layer in image.layers()
    ]
    for layer in pulled.layers():  # every blob is served, byte for byte
        with layer.compressed() as stream:
            assert len(stream.read()) == layer.size()


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose-log"])
def test_wrong_password_is_one_clear_line_without_the_password(
    registry2_htpasswd: tuple[str, str, str],
    pushed: tuple[str, Image],
    environment: dict[str, str],
    verbose: bool,
) -> None:
    address, user, _ = registry2_htpasswd
    wrong = "not-the-password-" + "x7Q2"
    login = crane("auth", "login", address, "-u", user, "-p", wrong, env=environment)
    assert login.returncode == 0, login.stderr  # crane stores credentials unchecked

    flags = ["-v"] if verbose else []
    refused = crane(*flags, "digest", pushed[0], env=environment)
    assert (refused.returncode, refused.stdout) == (1, "")
    everything = refused.stdout + refused.stderr
    assert wrong not in everything
    assert base64.b64encode(f"{user}:{wrong}".encode()).decode() not in everything
    error = error_line(refused)
    assert "UNAUTHORIZED" in error
    assert address in error


def test_anonymous_is_refused_with_401(
    registry2_htpasswd: tuple[str, str, str],
    pushed: tuple[str, Image],
    environment: dict[str, str],
) -> None:
    refused = crane("digest", pushed[0], env=environment)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert "UNAUTHORIZED" in error_line(refused)

    with pytest.raises(RegistryError) as caught:
        remote.get(name.parse_reference(pushed[0]), authenticator=authn.ANONYMOUS)
    assert caught.value.status == 401
    assert "UNAUTHORIZED" in caught.value.codes
    assert "UNAUTHORIZED" in str(caught.value)


# --- TLS with a CA made here -------------------------------------------------------------


@dataclass(frozen=True)
class TLSRegistry:
    """A registry:2 serving https on ``address`` with a certificate that ``ca`` signed;
    ``wrong_ca`` is another CA that signed nothing of it; ``cert_dir`` holds ``ca.crt``
    for skopeo."""

    address: str
    ca: Path
    wrong_ca: Path
    cert_dir: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def make_ca(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A self-signed CA key and certificate, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def make_server_cert(
    ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate
) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for 127.0.0.1, as an IP subject alternative name."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _pem(certificate) + _pem(ca), key_pem


@pytest.fixture(scope="module")
def tls_registry(
    registry2_container: object, tmp_path_factory: pytest.TempPathFactory
) -> TLSRegistry:
    root = tmp_path_factory.mktemp("tls")
    ca_key, ca = make_ca("containerregistry integration CA")
    _, wrong = make_ca("an unrelated CA")
    (root / "ca.pem").write_bytes(_pem(ca))
    (root / "wrong-ca.pem").write_bytes(_pem(wrong))
    server = root / "server"
    server.mkdir()
    chain, key = make_server_cert(ca_key, ca)
    (server / "cert.pem").write_bytes(chain)
    (server / "key.pem").write_bytes(key)
    (server / "key.pem").chmod(0o644)  # a throwaway key, read by the container's user
    cert_dir = root / "skopeo-certs"
    cert_dir.mkdir()
    (cert_dir / "ca.crt").write_bytes(_pem(ca))
    settings = {
        "REGISTRY_HTTP_TLS_CERTIFICATE": "/certs/cert.pem",
        "REGISTRY_HTTP_TLS_KEY": "/certs/key.pem",
    }
    start = registry2_container
    address = start(settings, {server: "/certs"}, "https://{address}/v2/", 200)  # type: ignore[operator]
    return TLSRegistry(str(address), root / "ca.pem", root / "wrong-ca.pem", cert_dir)


@pytest.fixture(scope="module")
def tls_pushed(tls_registry: TLSRegistry) -> tuple[str, Image]:
    """An image written over verified https to ``<tls>/tls/app:v1``."""
    image = random.image(32 * 1024, 2, seed=43)
    ref = f"{tls_registry.address}/tls/app:v1"
    remote.write(name.parse_reference(ref), image, ca_bundle=str(tls_registry.ca))
    return ref, image


def test_https_verified_with_the_ca_made_here(
    tls_registry: TLSRegistry, tls_pushed: tuple[str, Image], skopeo: str
) -> None:
    ref, image = tls_pushed
    described = remote.get(name.parse_reference(ref), ca_bundle=str(tls_registry.ca))
    assert described.digest == image.digest()
    pulled = remote.image(name.parse_reference(ref), ca_bundle=str(tls_registry.ca))
    for layer in pulled.layers():
        with layer.compressed() as stream:
            assert len(stream.read()) == layer.size()
    # skopeo verifies against the same CA: the registry really serves that certificate.
    assert skopeo_digest(skopeo, ref, "--cert-dir", str(tls_registry.cert_dir)) == str(
        image.digest()
    )


@pytest.mark.parametrize(
    "trust",
    ["wrong-ca", "system-store"],
    ids=["ca-bundle-of-another-ca", "no-ca-bundle"],
)
def test_an_untrusted_certificate_fails_naming_the_problem(
    tls_registry: TLSRegistry, tls_pushed: tuple[str, Image], trust: str
) -> None:
    options = {"ca_bundle": str(tls_registry.wrong_ca)} if trust == "wrong-ca" else {}
    with pytest.raises(TransportError) as caught:
        remote.get(name.parse_reference(tls_pushed[0]), **options)  # type: ignore[arg-type]
    message = str(caught.value)
    assert "CERTIFICATE_VERIFY_FAILED" in message or "certificate verify failed" in message
    assert tls_registry.address in message
    assert "--insecure" in message or "CA bundle" in message


def test_insecure_skips_verification(tls_pushed: tuple[str, Image]) -> None:
    ref, image = tls_pushed
    described = remote.get(name.parse_reference(ref), insecure=True)
    assert described.digest == image.digest()


@pytest.mark.parametrize(
    ("bundle", "flags", "works"),
    [
        ("ca", [], True),
        ("wrong-ca", [], False),
        ("wrong-ca", ["--insecure"], True),
    ],
    ids=["REQUESTS_CA_BUNDLE-the-ca", "REQUESTS_CA_BUNDLE-another-ca", "insecure-flag"],
)
def test_crane_cli_trusts_what_the_environment_says(
    tls_registry: TLSRegistry,
    tls_pushed: tuple[str, Image],
    environment: dict[str, str],
    bundle: str,
    flags: list[str],
    works: bool,
) -> None:
    """crane has no CA flag; a user points requests at a bundle with REQUESTS_CA_BUNDLE."""
    ref, image = tls_pushed
    ca = tls_registry.ca if bundle == "ca" else tls_registry.wrong_ca
    env = {**environment, "REQUESTS_CA_BUNDLE": str(ca)}
    done = crane(*flags, "digest", ref, env=env)
    if works:
        assert (done.returncode, done.stdout) == (0, f"{image.digest()}\n"), done.stderr
        return
    assert (done.returncode, done.stdout) == (1, "")
    error = error_line(done)
    assert "certificate verify failed" in error or "CERTIFICATE_VERIFY_FAILED" in error
