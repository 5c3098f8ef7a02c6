"""Loopback stand-ins for hosted registries: what Docker Hub, ECR, GHCR, ACR, GCR and
Harbor do in front of their storage, on real HTTP servers on 127.0.0.1.

The storage is the embedded registry (:class:`containerregistry.registry.Registry`,
no auth of its own); :class:`HostedFront` wraps it as WSGI middleware and adds one
hosted registry's front-end behaviour: its token service (:class:`TokenService`,
served on a host of its own), its blob store (:class:`BlobStore`, presigned URLs
that refuse an ``Authorization`` header), and each quirk as an option. Every
server is wrapped in :class:`remote_testkit.Recorder`, so a test can assert which
requests each host received.

Use :func:`standin` (a context manager) or the ``hosted`` fixture; the presets
(:data:`DOCKER_HUB`, :data:`ECR`, ...) name the quirks of each registry with the
documentation or issue they come from.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import io
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode

from remote_testkit import Recorder

from containerregistry import name
from containerregistry.registry import MemoryStorage, Registry, make_server

StartResponse = Callable[..., Any]
WsgiResult = list[bytes]


def _json(start_response: StartResponse, status: str, body: object, **headers: str) -> WsgiResult:
    data = json.dumps(body).encode()
    hdrs = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
    hdrs += [(k.replace("_", "-"), v) for k, v in headers.items()]
    start_response(status, hdrs)
    return [data]


def _errors(code: str, message: str) -> dict[str, object]:
    return {"errors": [{"code": code, "message": message, "detail": None}]}


def _basic(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value).decode()
    except ValueError:
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    data: bytes = stream.read(length) if length else stream.read()
    return data


# -- the token service ---------------------------------------------------------------------


@dataclasses.dataclass
class Grant:
    """What one issued token allows, and until when (``time.time()`` seconds)."""

    user: str | None
    access: set[tuple[str, str]]
    expires_at: float
    revoked: bool = False


class TokenService:
    """A registry token server (the Docker token spec, and the OAuth2 POST of ACR/GCR).

    - ``GET <path>?service=..&scope=..`` with Basic credentials of ``users``
      (anonymous when ``anonymous_pull``: pull only);
    - ``POST <path>`` with ``grant_type=refresh_token`` (a key of ``identity_tokens``)
      or ``grant_type=password`` (when ``oauth`` is True; a 404 otherwise, as the
      Docker Hub token server answers a POST it does not speak);
    - answers hold the fields in ``fields`` (``token``, ``access_token`` or both), and
      ``expires_in`` when it is not None.
    """

    def __init__(
        self,
        *,
        path: str = "/token",
        fields: tuple[str, ...] = ("token", "access_token"),
        expires_in: int | None = 300,
        users: dict[str, str] | None = None,
        identity_tokens: dict[str, str] | None = None,
        anonymous_pull: bool = True,
        oauth: bool = True,
    ) -> None:
        self.path = path
        self.fields = fields
        self.expires_in = expires_in
        self.users = dict(users or {})
        self.identity_tokens = dict(identity_tokens or {})
        self.anonymous_pull = anonymous_pull
        self.oauth = oauth
        self.grants: dict[str, Grant] = {}
        #: The forms of every POST received (the OAuth2 flow), in order.
        self.posted: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def issue(self, user: str | None, scopes: list[str]) -> str:
        """Sign a token for ``user`` with the actions of ``scopes`` it may have."""
        access: set[tuple[str, str]] = set()
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            resource, _, actions = rest.rpartition(":")
            for action in actions.split(","):
                if user is not None or (self.anonymous_pull and action == "pull"):
                    access.add((f"{kind}:{resource}", action))
        token = secrets.token_urlsafe(24)
        lifetime = self.expires_in if self.expires_in is not None else 60
        with self._lock:
            self.grants[token] = Grant(user, access, time.time() + lifetime)
        return token

    def revoke_all(self) -> None:
        """Make every token issued so far invalid (as if each had expired)."""
        with self._lock:
            for grant in self.grants.values():
                grant.revoked = True

    def check(self, token: str, needed: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
        """None if ``token`` is unknown, expired or revoked; else what it lacks of ``needed``."""
        with self._lock:
            grant = self.grants.get(token)
        if grant is None or grant.revoked or grant.expires_at < time.time():
            return None
        return [n for n in needed if n not in grant.access]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        if environ["PATH_INFO"] != self.path:
            return _json(start_response, "404 Not Found", {"details": "not found"})
        query = parse_qs(environ.get("QUERY_STRING", ""))
        user: str | None = None
        if environ["REQUEST_METHOD"] == "POST":
            if not self.oauth:
                return _json(start_response, "404 Not Found", {"details": "404 page not found"})
            form = {k: v[0] for k, v in parse_qs(_body(environ).decode()).items()}
            self.posted.append(form)
            scopes = form.get("scope", "").split()
            if form.get("grant_type") == "refresh_token":
                user = self.identity_tokens.get(form.get("refresh_token", ""))
                if user is None:
                    return _json(start_response, "401 Unauthorized", {"error": "invalid_grant"})
            elif form.get("grant_type") == "password":
                user = form.get("username", "")
                if self.users.get(user) != form.get("password"):
                    return _json(start_response, "401 Unauthorized", {"error": "invalid_grant"})
            else:
                return _json(start_response, "400 Bad Request", {"error": "unsupported_grant_type"})
        else:
            scopes = [s for value in query.get("scope", []) for s in value.split()]
            credentials = _basic(environ)
            if credentials is not None:
                if self.users.get(credentials[0]) != credentials[1]:
                    return _json(
                        start_response,
                        "401 Unauthorized",
                        {"details": "incorrect username or password"},
                    )
                user = credentials[0]
        token = self.issue(user, scopes)
        answer: dict[str, object] = dict.fromkeys(self.fields, token)
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        answer["issued_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return _json(start_response, "200 OK", answer)


# -- the blob store ------------------------------------------------------------------------


class BlobStore:
    """Object storage behind presigned URLs, as S3 (ECR, Docker Hub) or GCS serve blobs.

    :meth:`presign` makes the URL the registry redirects to; a GET with a valid
    signature gets the bytes. A request that also carries ``Authorization`` is
    refused as S3 refuses it (400 ``InvalidArgument``: only one auth mechanism).
    """

    def __init__(self, storage: MemoryStorage) -> None:
        self.storage = storage
        self.base = ""  # set once the server has a port
        self._key = secrets.token_bytes(16)

    def _signature(self, path: str) -> str:
        return hmac.new(self._key, path.encode(), hashlib.sha256).hexdigest()

    def presign(self, repository: str, digest: str) -> str:
        """The presigned URL of blob ``digest`` of ``repository``."""
        path = f"/registry-bucket/{repository}/blobs/" + digest.replace(":", "/")
        query = urlencode(
            {
                "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
                "X-Amz-Expires": "1200",
                "X-Amz-Signature": self._signature(path),
            }
        )
        return f"{self.base}{path}?{query}"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if environ.get("HTTP_AUTHORIZATION"):
            body = (
                b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidArgument</Code>'
                b"<Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                b"parameter, Signature query string parameter or the Authorization header "
                b"should be specified</Message><ArgumentName>Authorization</ArgumentName></Error>"
            )
            start_response("400 Bad Request", [("Content-Type", "application/xml")])
            return [body]
        if not hmac.compare_digest(query.get("X-Amz-Signature", ""), self._signature(path)):
            start_response("403 Forbidden", [("Content-Type", "application/xml")])
            return [b"<Error><Code>SignatureDoesNotMatch</Code></Error>"]
        repository, _, blob = path.removeprefix("/registry-bucket/").rpartition("/blobs/")
        found = self.storage.open_blob(repository, blob.replace("/", ":", 1))
        if found is None:
            start_response("404 Not Found", [("Content-Type", "application/xml")])
            return [b"<Error><Code>NoSuchKey</Code></Error>"]
        data, size = found
        raw = data if isinstance(data, bytes) else data.read()
        start_response(
            "200 OK",
            [("Content-Type", "application/octet-stream"), ("Content-Length", str(size))],
        )
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [raw]


# -- the registry's front end ------------------------------------------------------------------

_REPO_PATH = re.compile(
    r"/v2/(?P<repo>.+?)/(?P<kind>manifests|blobs|tags|referrers)(?P<rest>/.*)?$"
)


@dataclasses.dataclass
class Quirks:
    """One hosted registry's front-end behaviour (every default is "as the spec says").

    - ``service``: the ``service`` of the bearer challenge.
    - ``basic_users``: answer with a ``Basic`` challenge and check these users
      instead of tokens (ECR's private registries).
    - ``manifest_head``: the status a manifest HEAD gets instead of the answer
      (405: Method Not Allowed, 404: a proxy cache that only pulls on GET).
    - ``manifest_digest_header``: send ``Docker-Content-Digest`` on manifest answers.
    - ``redirect_blobs``: blob GETs answer this (302 or 307) pointing at the blob store.
    - ``refuse_mount``: a mount POST opens a plain upload (202) instead of mounting.
    - ``chunk_min``: ``OCI-Chunk-Min-Length`` on the POST answer; a PATCH after a
      shorter PATCH is refused as ECR refuses it (LayerPartTooSmallException).
    - ``patch_status``: the status of a PATCH answer (ECR sends 201, not 202).
    - ``page_cap``: listing pages hold at most this many entries whatever ``n`` says.
    - ``ignore_n``: ``n`` is dropped and a page holds everything.
    - ``absolute_links``: ``Link`` holds an absolute URL (else the registry's relative one).
    - ``rate_limited_manifest_gets``: this many manifest GETs answer 429 first.
    - ``retry_after``: the ``Retry-After`` of those 429s (None: no header).
    """

    service: str = "registry.example"
    basic_users: dict[str, str] | None = None
    manifest_head: int | None = None
    manifest_digest_header: bool = True
    redirect_blobs: int | None = None
    refuse_mount: bool = False
    chunk_min: int | None = None
    patch_status: int | None = None
    page_cap: int | None = None
    ignore_n: bool = False
    absolute_links: bool = False
    rate_limited_manifest_gets: int = 0
    retry_after: str | None = "1"


class HostedFront:
    """WSGI middleware: a hosted registry's front end over the embedded registry."""

    def __init__(
        self,
        registry: Registry,
        quirks: Quirks,
        tokens: TokenService | None,
        blob_store: BlobStore | None,
    ) -> None:
        self.registry = registry
        self.quirks = quirks
        self.tokens = tokens
        self.blob_store = blob_store
        self.realm = ""  # set once the token server has a port
        #: Called with (method, path) before each request is handled (e.g. to revoke tokens).
        self.before: Callable[[str, str], None] | None = None
        self._lock = threading.Lock()
        self._rate_limited = 0
        self._last_chunk: dict[str, int] = {}

    # -- authorization -------------------------------------------------------------

    @staticmethod
    def needed(method: str, path: str, query: dict[str, str]) -> list[tuple[str, str]]:
        """The (resource, action) pairs a request needs, as distribution's token auth."""
        if path.rstrip("/") == "/v2":
            return []
        if path == "/v2/_catalog":
            return [("registry:catalog", "*")]
        match = _REPO_PATH.match(path)
        if match is None:
            return []
        resource = f"repository:{match['repo']}"
        if method in ("GET", "HEAD"):
            return [(resource, "pull")]
        wanted = [(resource, "pull"), (resource, "push")]
        if method == "POST" and query.get("from") and query.get("mount"):
            wanted.append((f"repository:{query['from']}", "pull"))
        return wanted

    def _challenge(self, needed: list[tuple[str, str]], error: str | None) -> str:
        challenge = f'Bearer realm="{self.realm}",service="{self.quirks.service}"'
        if needed:
            by_resource: dict[str, list[str]] = {}
            for resource, action in needed:
                by_resource.setdefault(resource, []).append(action)
            # One scope per resource, actions joined by a comma inside the quotes.
            scope = " ".join(f"{r}:{','.join(a)}" for r, a in by_resource.items())
            challenge += f',scope="{scope}"'
        if error:
            challenge += f',error="{error}"'
        return challenge

    def _refuse(self, start_response: StartResponse, challenge: str, code: str) -> WsgiResult:
        return _json(
            start_response,
            "401 Unauthorized",
            _errors(code, "authentication required"),
            WWW_Authenticate=challenge,
        )

    def _authorize(
        self, environ: dict[str, Any], needed: list[tuple[str, str]], start_response: StartResponse
    ) -> WsgiResult | None:
        if self.quirks.basic_users is not None:
            credentials = _basic(environ)
            if credentials is None or self.quirks.basic_users.get(credentials[0]) != credentials[1]:
                challenge = (
                    f'Basic realm="https://{environ["HTTP_HOST"]}/",service="ecr.amazonaws.com"'
                )
                return _json(
                    start_response,
                    "401 Unauthorized",
                    _errors(
                        "DENIED",
                        "Your authorization token has expired. Reauthenticate and try again.",
                    ),
                    WWW_Authenticate=challenge,
                )
            return None
        if self.tokens is None:
            return None
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer":
            return self._refuse(start_response, self._challenge(needed, None), "UNAUTHORIZED")
        missing = self.tokens.check(token.strip(), needed)
        if missing is None:
            return self._refuse(
                start_response, self._challenge(needed, "invalid_token"), "UNAUTHORIZED"
            )
        if missing:
            # distribution names every access the request needs, not only the missing ones.
            return self._refuse(
                start_response, self._challenge(needed, "insufficient_scope"), "DENIED"
            )
        return None

    # -- the request -------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> WsgiResult:
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if self.before is not None:
            self.before(method, path)
        refused = self._authorize(environ, self.needed(method, path, query), start_response)
        if refused is not None:
            _body(environ)
            return refused
        match = _REPO_PATH.match(path)
        kind = match["kind"] if match else ""
        quirks = self.quirks
        if kind == "manifests" and method == "HEAD" and quirks.manifest_head is not None:
            status = {404: "404 Not Found", 405: "405 Method Not Allowed"}[quirks.manifest_head]
            start_response(status, [("Content-Length", "0")])
            return []
        if kind == "manifests" and method == "GET" and self._rate_limit():
            headers = {"ratelimit_limit": "100;w=21600", "ratelimit_remaining": "0;w=21600"}
            if quirks.retry_after is not None:
                headers["Retry_After"] = quirks.retry_after
            message = (
                "You have reached your pull rate limit. You may increase the limit by "
                "authenticating and upgrading: https://www.docker.com/increase-rate-limit"
            )
            return _json(
                start_response,
                "429 Too Many Requests",
                _errors("TOOMANYREQUESTS", message),
                **headers,
            )
        if kind == "blobs" and method == "GET" and quirks.redirect_blobs and self.blob_store:
            digest = (match["rest"] or "/").strip("/") if match else ""
            repository = match["repo"] if match else ""
            if (
                digest.startswith("sha256:")
                and self.registry.storage.blob_size(repository, digest) is not None
            ):
                status = {302: "302 Found", 307: "307 Temporary Redirect"}[quirks.redirect_blobs]
                location = self.blob_store.presign(repository, digest)
                start_response(status, [("Location", location), ("Content-Length", "0")])
                return []
        if kind == "blobs" and method == "POST" and quirks.refuse_mount and "mount" in query:
            environ = environ | {"QUERY_STRING": ""}
        if kind == "blobs" and method == "PATCH" and quirks.chunk_min is not None:
            refused = self._check_chunk(environ, path, start_response)
            if refused is not None:
                return refused
        if path.endswith("/tags/list") or path == "/v2/_catalog":
            environ = environ | {"QUERY_STRING": self._page_query(query)}
        wrapped = self._rewrite(environ, start_response, kind, method)
        return self.registry(environ, wrapped)

    def _rate_limit(self) -> bool:
        with self._lock:
            if self._rate_limited < self.quirks.rate_limited_manifest_gets:
                self._rate_limited += 1
                return True
        return False

    def _check_chunk(
        self, environ: dict[str, Any], path: str, start_response: StartResponse
    ) -> WsgiResult | None:
        data = _body(environ)
        minimum = self.quirks.chunk_min or 0
        with self._lock:
            previous = self._last_chunk.get(path)
            self._last_chunk[path] = len(data)
        if previous is not None and previous < minimum:
            return _json(
                start_response,
                "400 Bad Request",
                _errors(
                    "LAYER_PART_TOO_SMALL",
                    "All layer parts except the last part should be at least 5MB",
                ),
            )
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return None

    def _page_query(self, query: dict[str, str]) -> str:
        quirks = self.quirks
        if quirks.ignore_n:
            query.pop("n", None)
        elif quirks.page_cap is not None:
            asked = int(query["n"]) if query.get("n", "").isdigit() else quirks.page_cap
            query["n"] = str(min(asked, quirks.page_cap) or quirks.page_cap)
        return urlencode(query)

    def _rewrite(
        self, environ: dict[str, Any], start_response: StartResponse, kind: str, method: str
    ) -> StartResponse:
        quirks = self.quirks
        host = environ.get("HTTP_HOST", "")
        scheme = environ.get("wsgi.url_scheme", "http")

        def rewritten(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            out = []
            for key, value in headers:
                lower = key.lower()
                if (
                    kind == "manifests"
                    and lower == "docker-content-digest"
                    and not quirks.manifest_digest_header
                ):
                    continue
                if lower == "link" and quirks.absolute_links and value.startswith("</"):
                    value = f"<{scheme}://{host}{value[1:]}"
                out.append((key, value))
            if kind == "blobs" and method == "POST" and quirks.chunk_min is not None:
                out.append(("OCI-Chunk-Min-Length", str(quirks.chunk_min)))
            if (
                kind == "blobs"
                and method == "PATCH"
                and quirks.patch_status is not None
                and status.startswith("202")
            ):
                status = f"{quirks.patch_status} Created"
            return start_response(status, out, exc_info)

        return rewritten


# -- assembling one stand-in -------------------------------------------------------------------


@dataclasses.dataclass
class Hosted:
    """A running stand-in: the registry front, its token server and blob store."""

    front: HostedFront
    registry: Recorder
    host: str
    tokens: TokenService | None = None
    token_server: Recorder | None = None
    token_host: str = ""
    blob_store: Recorder | None = None
    blob_host: str = ""

    def ref(self, text: str) -> name.Reference:
        """A reference on this registry: ``ref("app:v1")``."""
        return name.parse_reference(f"{self.host}/{text}")

    def repo(self, path: str) -> name.Repository:
        """A repository on this registry."""
        return name.new_repository(f"{self.host}/{path}")

    @property
    def storage(self) -> MemoryStorage:
        """The storage behind the front (to seed it, or to read what arrived)."""
        storage = self.front.registry.storage
        assert isinstance(storage, MemoryStorage)
        return storage


def _start(app: Any, stack: contextlib.ExitStack) -> tuple[Recorder, str]:
    recorder = Recorder(app)
    server = make_server(recorder, address="127.0.0.1:0")
    # A short poll interval: three servers per test would otherwise take 1.5 s to stop.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    stack.callback(stop)
    return recorder, f"127.0.0.1:{server.port}"


@contextlib.contextmanager
def standin(
    quirks: Quirks | None = None,
    *,
    tokens: TokenService | None = None,
    blob_store: bool = False,
    referrers: bool = True,
) -> Iterator[Hosted]:
    """Start a stand-in: the embedded registry behind ``quirks``; ``tokens`` runs on a
    host of its own (the realm of the challenges); ``blob_store`` starts the object
    store that blob GETs are redirected to."""
    quirks = quirks or Quirks()
    storage = MemoryStorage()
    registry = Registry(storage=storage, referrers=referrers)
    store = BlobStore(storage) if blob_store else None
    front = HostedFront(registry, quirks, tokens, store)
    with contextlib.ExitStack() as stack:
        recorder, host = _start(front, stack)
        hosted = Hosted(front, recorder, host, tokens)
        if tokens is not None:
            hosted.token_server, hosted.token_host = _start(tokens, stack)
            front.realm = f"http://{hosted.token_host}{tokens.path}"
        if store is not None:
            hosted.blob_store, hosted.blob_host = _start(store, stack)
            store.base = f"http://{hosted.blob_host}"
        yield hosted


# -- presets: each registry as its documentation and its users' issues describe it ----------

#: Docker Hub: tokens from auth.docker.io (another host), answering ``token`` and
#: ``access_token`` with ``expires_in: 300``; service ``registry.docker.io``; blob GETs
#: redirected (307) to a CDN/S3 presigned URL; 429 TOOMANYREQUESTS at the pull limit.
DOCKER_HUB = Quirks(service="registry.docker.io", redirect_blobs=307)


def docker_hub_tokens(**kw: Any) -> TokenService:
    """auth.docker.io: GET flow; a POST it does not speak is a 404 (ggcr falls back)."""
    return TokenService(fields=("token", "access_token"), expires_in=300, oauth=False, **kw)


#: GHCR: token at ghcr.io/token answering ``token`` only, no ``expires_in``; no
#: referrers API (404); listings capped at 100 per page with a relative ``Link``.
GHCR = Quirks(service="ghcr.io", page_cap=100)


def ghcr_tokens(**kw: Any) -> TokenService:
    return TokenService(fields=("token",), expires_in=None, **kw)


#: ACR: realm ``https://<name>.azurecr.io/oauth2/token``; ``az acr login`` stores an
#: ``identitytoken`` that the client trades with the OAuth2 POST (grant_type
#: refresh_token); answers hold ``access_token`` only.
ACR = Quirks(service="example.azurecr.io")


def acr_tokens(**kw: Any) -> TokenService:
    return TokenService(path="/oauth2/token", fields=("access_token",), expires_in=None, **kw)


#: GCR: realm ``https://gcr.io/v2/token``; answers ``token`` and ``expires_in``.
GCR = Quirks(service="gcr.io")


def gcr_tokens(**kw: Any) -> TokenService:
    return TokenService(path="/v2/token", fields=("token",), expires_in=3600, **kw)


#: Harbor: realm ``https://<harbor>/service/token``, service ``harbor-registry``; robot
#: accounts are named ``robot$<name>`` (``robot$<project>+<name>`` in a project).
HARBOR = Quirks(service="harbor-registry")


def harbor_tokens(**kw: Any) -> TokenService:
    return TokenService(
        path="/service/token", fields=("token", "access_token"), expires_in=1800, **kw
    )


#: ECR: Basic auth (user ``AWS``, the password from ``get-login-password``); PATCH
#: answered 201; every part but the last at least 5 MiB (LayerPartTooSmallException).
ECR_CHUNK_MIN = 5 * 1024 * 1024
ECR_PASSWORD = "eyJwYXlsb2FkIjoi" + "x" * 40


def ecr(**changes: Any) -> Quirks:
    quirks = Quirks(
        service="ecr.amazonaws.com",
        basic_users={"AWS": ECR_PASSWORD},
        chunk_min=ECR_CHUNK_MIN,
        patch_status=201,
    )
    return dataclasses.replace(quirks, **changes)


def standins() -> Iterator[Callable[..., Hosted]]:
    """For a fixture: yields ``start(quirks, tokens=..., blob_store=..., referrers=...)``
    that starts a stand-in; all are stopped when the generator closes.

    In a test module::

        @pytest.fixture
        def hosted() -> Iterator[Callable[..., Hosted]]:
            yield from standins()
    """
    with contextlib.ExitStack() as stack:

        def start(quirks: Quirks | None = None, **kw: Any) -> Hosted:
            return stack.enter_context(standin(quirks, **kw))

        yield start


def basic_auth(user: str, password: str) -> str:
    """The ``auth`` field of config.json for ``user`` and ``password``."""
    return base64.b64encode(f"{user}:{password}".encode()).decode()
