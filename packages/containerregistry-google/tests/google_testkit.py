"""Helpers for the google tests: served WSGI apps that record requests, images pushed
over HTTP, and a loopback OAuth2 token endpoint and GCE metadata server.

Imported by name (``conftest`` puts this folder on ``sys.path``); the integration
tests import it too.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import hashlib
import http.server
import json
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from containerregistry import name
from containerregistry.registry import make_server
from containerregistry.transport import Retry

#: Seconds between a test server's checks for shutdown.
_POLL = 0.02
#: No waiting between retries in tests.
FAST_RETRY = Retry(attempts=3, backoff=0.0, jitter=0.0, sleep=lambda _: None)

GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"

# -- recording WSGI apps on loopback ---------------------------------------------------------


@dataclasses.dataclass
class Seen:
    """One request an app received."""

    method: str
    path: str
    query: str
    authorization: str
    status: int = 0

    def arg(self, key: str) -> str | None:
        values = parse_qs(self.query).get(key)
        return values[0] if values else None

    def basic(self) -> tuple[str, str] | None:
        """The basic credentials sent, if any."""
        scheme, _, value = self.authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user, password


#: Decides the fate of a request: None passes it on; (status, headers, body) answers it.
Fault = Callable[[Seen], "tuple[int, list[tuple[str, str]], bytes] | None"]


class Recorder:
    """WSGI middleware: records each request, and lets ``fault`` answer some itself.

    ``active``/``peak`` count the requests in progress at once.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[Seen] = []
        self.fault: Fault | None = None
        self.delay = 0.0
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        seen = Seen(
            environ["REQUEST_METHOD"],
            environ["PATH_INFO"],
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_AUTHORIZATION", ""),
        )
        with self._lock:
            self.seen.append(seen)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            if self.delay:
                time.sleep(self.delay)
            answer = self.fault(seen) if self.fault is not None else None
            if answer is not None:
                status, headers, body = answer
                seen.status = status
                start_response(f"{status} X", [*headers, ("Content-Length", str(len(body)))])
                return [body]

            def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
                seen.status = int(status.split()[0])
                return start_response(status, headers, exc_info)

            return list(self.app(environ, capture))
        finally:
            with self._lock:
                self.active -= 1

    def requests(self, contains: str = "") -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if contains in s.path + "?" + s.query]


@dataclasses.dataclass
class Served:
    """A running app: its recorder and ``host:port``."""

    recorder: Recorder
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def repo(self, path: str) -> name.Repository:
        return name.new_repository(f"{self.host}/{path}")


def serve(app: Any) -> Iterator[Served]:
    """Serve ``app`` behind a :class:`Recorder` on 127.0.0.1 until the generator closes."""
    recorder = Recorder(app)
    server = make_server(recorder, address="127.0.0.1:0")
    # A short poll interval: shutting down waits for one poll.
    thread = threading.Thread(target=server.serve_forever, args=(_POLL,), daemon=True)
    thread.start()
    try:
        yield Served(recorder, f"127.0.0.1:{server.port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- images pushed over HTTP -----------------------------------------------------------------


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_bytes(created: str) -> bytes:
    """The config blob :func:`push_image` writes."""
    return json.dumps({"created": created, "architecture": "amd64", "os": "linux"}).encode()


def push_image(
    base_url: str,
    repository: str,
    tags: list[str],
    *,
    layer: bytes = b"layer",
    created: str = "2020-01-01T00:00:00Z",
    auth: tuple[str, str] | None = None,
) -> tuple[str, bytes]:
    """Push a one-layer image to ``repository`` under each of ``tags`` (none: by digest).

    Returns the manifest digest and bytes.
    """
    session = requests.Session()
    if auth is not None:
        session.auth = auth
    config = config_bytes(created)
    for blob in (config, layer):
        response = session.post(
            f"{base_url}/v2/{repository}/blobs/uploads/?digest={_digest(blob)}", data=blob
        )
        if response.status_code == 202:  # no monolithic POST (registry:2): PUT the blob
            location = urljoin(base_url, response.headers["Location"])
            separator = "&" if "?" in location else "?"
            response = session.put(f"{location}{separator}digest={_digest(blob)}", data=blob)
        assert response.status_code == 201, response.text
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": _digest(config), "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": _digest(layer), "size": len(layer)}],
        }
    ).encode()
    digest = _digest(manifest)
    for reference in tags or [digest]:
        response = session.put(
            f"{base_url}/v2/{repository}/manifests/{reference}",
            data=manifest,
            headers={"Content-Type": OCI_MANIFEST},
        )
        assert response.status_code == 201, response.text
    return digest, manifest


# -- OAuth2 token endpoint and GCE metadata server ---------------------------------------------


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclasses.dataclass
class ServiceAccountKey:
    """A service-account key made in the test, and the public half to check grants."""

    email: str
    key_id: str
    private_pem: str
    public_key: Any

    def json(self, token_uri: str) -> str:
        return json.dumps(
            {
                "type": "service_account",
                "project_id": "test-project",
                "private_key_id": self.key_id,
                "private_key": self.private_pem,
                "client_email": self.email,
                "client_id": "1234567890",
                "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                "token_uri": token_uri,
            }
        )


def make_service_account_key() -> ServiceAccountKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return ServiceAccountKey(
        "pusher@test-project.iam.gserviceaccount.com", "key-1", pem, private.public_key()
    )


class GoogleServer(http.server.ThreadingHTTPServer):
    """An OAuth2 token endpoint (``/token``) and a GCE metadata server on loopback.

    ``/token`` accepts a JWT-bearer grant signed by ``key`` (checked: signature,
    issuer, audience, scope) and a refresh-token grant for ``refresh_token``; the
    metadata server answers only requests with ``Metadata-Flavor: Google``. Each
    grant mints a new ``access_token``; ``issued`` lists them, ``grants`` the checked
    claims. ``expires_in`` sets their lifetime.
    """

    daemon_threads = True

    def __init__(self, key: ServiceAccountKey | None = None, expires_in: int = 3600) -> None:
        self.key = key
        self.expires_in = expires_in
        self.refresh_token = "refresh-secret"
        self.issued: list[str] = []
        self.grants: list[dict[str, Any]] = []
        self.metadata_paths: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _GoogleHandler)
        self.thread = threading.Thread(target=self.serve_forever, args=(_POLL,), daemon=True)
        self.thread.start()

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"

    @property
    def token_uri(self) -> str:
        return f"http://{self.host}/token"

    def mint(self) -> dict[str, Any]:
        with self.lock:
            token = f"ya29.test-{len(self.issued) + 1}"
            self.issued.append(token)
        return {"access_token": token, "expires_in": self.expires_in, "token_type": "Bearer"}

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join()


class _GoogleHandler(http.server.BaseHTTPRequestHandler):
    server: GoogleServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes | dict[str, Any], content_type: str = "") -> None:
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        self.send_response(status)
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/token":
            self._send(404, {"error": "not_found"})
            return
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            claims = self._check_jwt(form.get("assertion", ""))
            if claims is None:
                self._send(400, {"error": "invalid_grant", "error_description": "bad JWT"})
                return
            with self.server.lock:
                self.server.grants.append(claims)
        elif grant == "refresh_token":
            if form.get("refresh_token") != self.server.refresh_token:
                self._send(400, {"error": "invalid_grant"})
                return
            with self.server.lock:
                self.server.grants.append({"refresh_token": True, "client": form.get("client_id")})
        else:
            self._send(400, {"error": "unsupported_grant_type"})
            return
        self._send(200, self.server.mint())

    def _check_jwt(self, assertion: str) -> dict[str, Any] | None:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        key = self.server.key
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header = json.loads(b64url_decode(header_b64))
            claims: dict[str, Any] = json.loads(b64url_decode(claims_b64))
        except ValueError:
            return None
        if key is None or header.get("alg") != "RS256" or header.get("kid") != key.key_id:
            return None
        try:
            key.public_key.verify(
                b64url_decode(signature_b64),
                f"{header_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except InvalidSignature:
            return None
        now = time.time()
        if (
            claims.get("iss") != key.email
            # google-auth addresses the grant to Google's endpoint whatever token_uri is.
            or claims.get("aud") not in (self.server.token_uri, GOOGLE_TOKEN_AUDIENCE)
            or not claims.get("scope")
            or not claims.get("iat", now + 100) <= now + 5
            or claims.get("exp", 0) <= now
        ):
            return None
        return claims

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if self.headers.get("Metadata-Flavor") != "Google":
            self._send(403, {"error": "missing Metadata-Flavor: Google"})
            return
        with self.server.lock:
            self.server.metadata_paths.append(self.path)
        root = "/computeMetadata/v1/"
        account = root + "instance/service-accounts/default/"
        if path in ("", "/"):
            self._send(200, b"computeMetadata/\n", "application/text")
        elif path == root + "project/project-id":
            self._send(200, b"test-project", "application/text")
        elif path == account:
            self._send(
                200,
                {
                    "aliases": ["default"],
                    "email": "vm@test-project.iam.gserviceaccount.com",
                    "scopes": ["https://www.googleapis.com/auth/cloud-platform"],
                },
            )
        elif path == account + "token":
            self._send(200, self.server.mint())
        elif path == root + "universe/universe-domain":
            self._send(200, b"googleapis.com", "application/text")
        else:
            self._send(404, b"not found", "text/html")


# -- a fake gcloud ------------------------------------------------------------------------------


def fake_gcloud(tmp_path: Path, *, token: str = "ya29.gcloud", exit_code: int = 0) -> Path:
    """A ``gcloud`` that records its arguments and prints config-helper's JSON."""
    script = tmp_path / "bin" / "gcloud"
    script.parent.mkdir(exist_ok=True)
    log = tmp_path / "gcloud.log"
    expiry = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    output = json.dumps({"credential": {"access_token": token, "token_expiry": expiry}})
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        + (
            f"echo 'You do not currently have an active account selected.' >&2\nexit {exit_code}\n"
            if exit_code
            else f"cat <<'EOF'\n{output}\nEOF\n"
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def gcloud_runs(tmp_path: Path) -> list[str]:
    log = tmp_path / "gcloud.log"
    return log.read_text().splitlines() if log.exists() else []
