"""A stand-in Kubernetes API server for the tests: the real JSON of ServiceAccount and
Secret objects, behind a bearer token, on 127.0.0.1 (HTTP or HTTPS).

Imported by name (``conftest`` puts this folder on ``sys.path``; pytest runs with
``--import-mode=importlib``)."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: The bearer token the stand-in API server accepts in most tests.
TOKEN = "sa-token-0123456789"

_OBJECT_PATH = re.compile(r"^/api/v1/namespaces/([^/]+)/(serviceaccounts|secrets)/([^/?]+)$")
_KINDS = {"serviceaccounts": "ServiceAccount", "secrets": "Secret"}


def metadata(namespace: str, name: str) -> dict[str, Any]:
    """The metadata block the API server puts on every object."""
    return {
        "name": name,
        "namespace": namespace,
        "uid": "0b4a7b1e-7f3c-4c57-9d59-0c9f4d1e2a55",
        "resourceVersion": "4242",
        "creationTimestamp": "2024-05-01T12:00:00Z",
    }


def service_account(
    name: str = "default",
    *,
    namespace: str = "default",
    image_pull_secrets: tuple[str, ...] = (),
    secrets: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A ServiceAccount as ``GET .../serviceaccounts/NAME`` returns it."""
    account: dict[str, Any] = {
        "kind": "ServiceAccount",
        "apiVersion": "v1",
        "metadata": metadata(namespace, name),
    }
    if secrets:
        account["secrets"] = [{"name": s} for s in secrets]
    if image_pull_secrets:
        account["imagePullSecrets"] = [{"name": s} for s in image_pull_secrets]
    return account


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def auth_entry(username: str, password: str) -> dict[str, str]:
    """An ``auths`` entry as ``kubectl create secret docker-registry`` writes it."""
    return {
        "username": username,
        "password": password,
        "auth": b64(f"{username}:{password}"),
    }


def dockerconfigjson_secret(
    name: str, auths: dict[str, Any], *, namespace: str = "default"
) -> dict[str, Any]:
    """A ``kubernetes.io/dockerconfigjson`` Secret as the API returns it (data base64)."""
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": metadata(namespace, name),
        "data": {".dockerconfigjson": b64(json.dumps({"auths": auths}))},
        "type": "kubernetes.io/dockerconfigjson",
    }


def dockercfg_secret(
    name: str, auths: dict[str, Any], *, namespace: str = "default"
) -> dict[str, Any]:
    """A legacy ``kubernetes.io/dockercfg`` Secret: the bare map under ``.dockercfg``."""
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": metadata(namespace, name),
        "data": {".dockercfg": b64(json.dumps(auths))},
        "type": "kubernetes.io/dockercfg",
    }


def token_secret(name: str, *, namespace: str = "default") -> dict[str, Any]:
    """A service-account token Secret (mounted, not a pull secret)."""
    return {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": metadata(namespace, name),
        "data": {"token": b64("eyJhbGciOi"), "namespace": b64(namespace)},
        "type": "kubernetes.io/service-account-token",
    }


def status(code: int, reason: str, message: str, details: dict[str, str] | None = None) -> bytes:
    """A ``Status`` failure object, the body of every API error."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return json.dumps(body).encode()


@dataclasses.dataclass
class Request:
    path: str
    authorization: str


class FakeAPIServer:
    """Serves objects put with :meth:`add` at their API paths to a bearer ``token``.

    ``forbidden`` holds paths answered with 403 as RBAC does.
    """

    def __init__(self, token: str, *, tls: tuple[Path, Path] | None = None) -> None:
        self.token = token
        self.objects: dict[str, dict[str, Any]] = {}
        self.forbidden: set[str] = set()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.port = int(self._server.server_address[1])
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        # A short poll interval keeps shutdown (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def add(self, obj: dict[str, Any]) -> None:
        kind = "serviceaccounts" if obj["kind"] == "ServiceAccount" else "secrets"
        meta = obj["metadata"]
        self.objects[f"/api/v1/namespaces/{meta['namespace']}/{kind}/{meta['name']}"] = obj

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                authorization = self.headers.get("Authorization", "")
                with api._lock:
                    api.requests.append(Request(path, authorization))
                scheme, _, token = authorization.partition(" ")
                # The API server takes the scheme in any case; the Python client's
                # in-cluster loader sends "bearer".
                if scheme.lower() != "bearer" or token != api.token:
                    self._send(401, status(401, "Unauthorized", "Unauthorized"))
                    return
                match = _OBJECT_PATH.match(path)
                if match is None:
                    self._send(404, status(404, "NotFound", "the server could not find it"))
                    return
                namespace, kind, name = match.groups()
                if path in api.forbidden:
                    message = (
                        f'{kind} "{name}" is forbidden: User "system:serviceaccount:'
                        f'{namespace}:default" cannot get resource "{kind}" in API group "" '
                        f'in the namespace "{namespace}"'
                    )
                    self._send(403, status(403, "Forbidden", message, {"name": name, "kind": kind}))
                    return
                obj = api.objects.get(path)
                if obj is None:
                    message = f'{kind} "{name}" not found'
                    self._send(404, status(404, "NotFound", message, {"name": name, "kind": kind}))
                    return
                self._send(200, json.dumps(obj).encode())

            def _send(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def write_kubeconfig(
    path: Path,
    contexts: dict[str, tuple[str, dict[str, Any]]],
    *,
    current: str,
    ca_file: Path | None = None,
) -> Path:
    """Write a kubeconfig: each context name maps to (server URL, user entry)."""
    clusters, users, entries = [], [], []
    for context, (server, user) in contexts.items():
        cluster: dict[str, Any] = {"server": server}
        if ca_file is not None:
            cluster["certificate-authority"] = str(ca_file)
        clusters.append({"name": f"{context}-cluster", "cluster": cluster})
        users.append({"name": f"{context}-user", "user": user})
        entries.append(
            {
                "name": context,
                "context": {"cluster": f"{context}-cluster", "user": f"{context}-user"},
            }
        )
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": clusters,
        "users": users,
        "contexts": entries,
        "current-context": current,
        "preferences": {},
    }
    # JSON is YAML; the client reads either.
    path.write_text(json.dumps(document, indent=2))
    return path


def make_tls(directory: Path) -> tuple[Path, Path, Path]:
    """Make a CA and a server certificate for 127.0.0.1 with openssl: (ca, cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    key, csr, crt = directory / "server.key", directory / "server.csr", directory / "server.crt"
    ext = directory / "server.ext"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_subject = ["-subj", "/CN=kubernetes-test-ca"]
    ca_extensions = [
        *("-addext", "basicConstraints=critical,CA:TRUE"),
        *("-addext", "keyUsage=critical,keyCertSign,cRLSign"),
    ]
    ca_out = ["-keyout", ca_key, "-out", ca_crt, "-days", "2"]
    sign = ["-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-extfile", ext]
    run = [
        ["openssl", "req", "-x509", *ec, *ca_out, *ca_subject, *ca_extensions],
        ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=kube-apiserver"],
        ["openssl", "x509", "-req", "-in", csr, *sign, "-out", crt, "-days", "2"],
    ]
    for command in run:
        subprocess.run([str(c) for c in command], check=True, capture_output=True, timeout=60)
    return ca_crt, crt, key
