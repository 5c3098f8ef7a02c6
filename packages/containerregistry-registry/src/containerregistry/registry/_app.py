"""The WSGI application: routing, authorization, and errors as the spec's JSON."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from containerregistry.registry._blobs import BlobRoutes
from containerregistry.registry._errors import RegistryError
from containerregistry.registry._gcr import gcr_tags_list
from containerregistry.registry._http import STATUS_REASONS, BlobBody, Request, Response
from containerregistry.registry._manifests import ManifestRoutes
from containerregistry.registry._storage_memory import MemoryStorage
from containerregistry.registry._uploads import (
    DEFAULT_PURGING_AGE,
    DEFAULT_PURGING_INTERVAL,
    Uploads,
)

if TYPE_CHECKING:
    from containerregistry.registry._auth import Authorizer
    from containerregistry.registry._storage import Storage

_log = logging.getLogger("containerregistry.registry")
_log.addHandler(logging.NullHandler())

StartResponse = Callable[..., Any]
_Handler = Callable[..., Response]

#: A repository name as the distribution spec defines it.
NAME_PATTERN = re.compile(
    r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*"
)
#: Longest repository name accepted, as distribution does.
MAX_NAME_LENGTH = 255


class Registry:
    """An OCI Distribution Spec v1.1 registry as a WSGI application.

    Keyword-only options:

    - ``storage``: where blobs and manifests live (default: a new
      :class:`MemoryStorage`; pass :class:`DiskStorage` to keep them on disk).
    - ``auth``: a :class:`BasicAuth` or :class:`TokenAuth` that every request must
      satisfy (default None: anyone may pull and push).
    - ``gcr``: answer ``tags/list`` with GCR's extended JSON (``child`` and
      ``manifest``; default False).
    - ``referrers``: serve the referrers API (default True).
    - ``upload_purging_age``: seconds after which an upload that received no byte
      is discarded, by whichever instance on the storage sees it first (default
      900; Distribution's ``storage.maintenance.uploadpurging.age``).
    - ``upload_purging_interval``: each process sweeps the storage for such
      uploads, in the background of a request, at most this often (seconds,
      default 60; Distribution's ``uploadpurging.interval``). A read-only
      registry does not sweep.
    - ``adopt_blobs``: a manifest PUT may refer to blobs another repository holds,
      which are then linked into its own (default: True without ``auth``, where
      nothing is private anyway; False with it, as Distribution: blobs must be
      pushed or mounted into each repository).
    - ``max_upload_size``: the most bytes one blob upload may hold; a larger one is
      answered 413 and discarded (default None: no limit).
    - ``read_only``: refuse every push and delete with 405 UNSUPPORTED, for example
      while ``crane registry gc`` runs (default False).
    """

    def __init__(
        self,
        *,
        storage: Storage | None = None,
        auth: Authorizer | None = None,
        gcr: bool = False,
        referrers: bool = True,
        upload_purging_age: float = DEFAULT_PURGING_AGE,
        upload_purging_interval: float = DEFAULT_PURGING_INTERVAL,
        adopt_blobs: bool | None = None,
        max_upload_size: int | None = None,
        read_only: bool = False,
    ) -> None:
        self.storage: Storage = storage if storage is not None else MemoryStorage()
        self.uploads = Uploads(
            self.storage,
            purging_age=upload_purging_age,
            purging_interval=upload_purging_interval,
        )
        self.uploads.max_size = max_upload_size
        self.read_only = read_only
        self.auth = auth
        self.gcr = gcr
        self.referrers = referrers
        self._blobs = BlobRoutes(self.storage, self.uploads)
        if adopt_blobs is None:
            adopt_blobs = auth is None
        self._manifests = ManifestRoutes(self.storage, adopt_blobs=adopt_blobs)
        # (path pattern, {method: handler}); the first pattern that matches wins.
        self._routes: list[tuple[re.Pattern[str], dict[str, _Handler]]] = [
            (
                re.compile(r"/v2/(.+)/manifests/([^/]+)"),
                {
                    "GET": self._manifests.get,
                    "HEAD": self._manifests.get,
                    "PUT": self._manifests.put,
                    "DELETE": self._manifests.delete,
                },
            ),
            (re.compile(r"/v2/(.+)/blobs/uploads/?"), {"POST": self._blobs.start_upload}),
            (
                re.compile(r"/v2/(.+)/blobs/uploads/([^/]+)"),
                {
                    "GET": self._blobs.upload_status,
                    "PATCH": self._blobs.patch_upload,
                    "PUT": self._blobs.put_upload,
                    "DELETE": self._blobs.cancel_upload,
                },
            ),
            (
                re.compile(r"/v2/(.+)/blobs/([^/]+)"),
                {
                    "GET": self._blobs.get,
                    "HEAD": self._blobs.get,
                    "DELETE": self._blobs.delete,
                },
            ),
            (re.compile(r"/v2/(.+)/tags/list"), {"GET": self._tags_list}),
        ]
        if referrers:
            self._routes.append(
                (re.compile(r"/v2/(.+)/referrers/([^/]+)"), {"GET": self._manifests.referrers})
            )

    def _tags_list(self, request: Request, repository: str) -> Response:
        if self.gcr:
            return gcr_tags_list(self.storage, request, repository)
        return self._manifests.tags_list(request, repository)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        if not self.read_only:
            self.uploads.purge_soon()
        try:
            response = self._dispatch(request)
        except RegistryError as error:
            response = Response(
                error.status, [("Content-Type", "application/json"), *error.headers], error.body()
            )
        except Exception:
            _log.exception("%s %s failed", request.method, request.path)
            failure = RegistryError(
                "UNKNOWN",
                "the registry failed to handle the request; see its log",
                status=500,
            )
            response = Response(500, [("Content-Type", "application/json")], failure.body())
        _log.debug("%s %s -> %d", request.method, request.path, response.status)
        return self._respond(request, response, start_response)

    def _dispatch(self, request: Request) -> Response:
        path = request.path
        if self.auth is not None:
            handled = self.auth.handle(request)
            if handled is not None:
                return handled
        if path in ("/v2/", "/v2"):
            self._authorize(request, None, "")
            if request.method not in ("GET", "HEAD"):
                raise self._unsupported(request, ["GET", "HEAD"])
            return Response(200, [("Content-Type", "application/json")], b"{}")
        if path == "/v2/_catalog":
            self._authorize(request, "registry:catalog", "*")
            if request.method != "GET":
                raise self._unsupported(request, ["GET"])
            return self._manifests.catalog(request)
        for pattern, handlers in self._routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            repository = match.group(1)
            if len(repository) > MAX_NAME_LENGTH or not NAME_PATTERN.fullmatch(repository):
                raise RegistryError(
                    "NAME_INVALID",
                    f"{repository!r} is not a valid repository name: use lowercase letters, "
                    "digits and separators (., _, __, -) between slash-separated components",
                    detail={"Name": repository},
                )
            handler = handlers.get(request.method)
            if handler is None:
                raise self._unsupported(request, sorted(handlers))
            if self.read_only and request.method not in ("GET", "HEAD"):
                raise RegistryError(
                    "UNSUPPORTED",
                    f"this registry is read-only: {request.method} {path} is refused; "
                    "push to it once it serves without --read-only",
                    status=405,
                )
            action = "pull" if request.method in ("GET", "HEAD") else "push"
            if request.method == "DELETE" and "/blobs/uploads/" not in path:
                action = "delete"
            source = self._mount_source(request, repository)
            if self.auth is not None:
                # A mount's challenge also asks for its source, so that a client taking
                # its scope from the challenge gets a token that lets the mount happen.
                also = [f"repository:{source}:pull"] if source else []
                self.auth.authorize(request, f"repository:{repository}", action, also=also)
            self._check_mount_source(request, source)
            return handler(request, *match.groups())
        raise RegistryError(
            "NOT_FOUND",
            f"{request.path} is not a route of this registry (the API lives under /v2/)",
            status=404,
        )

    @staticmethod
    def _mount_source(request: Request, repository: str) -> str | None:
        """The valid ``from`` repository of a mount POST into another one, else None."""
        source = request.arg("from")
        if request.method != "POST" or request.arg("mount") is None or not source:
            return None
        if source == repository or len(source) > MAX_NAME_LENGTH:
            return None
        return source if NAME_PATTERN.fullmatch(source) else None

    def _check_mount_source(self, request: Request, source: str | None) -> None:
        """A mount needs a valid ``from`` the caller may pull; otherwise the POST
        starts a plain upload, as Distribution does."""
        if request.method != "POST" or request.arg("from") is None:
            return
        allowed = source is not None
        if source is not None and self.auth is not None:
            try:
                self.auth.authorize(request, f"repository:{source}", "pull")
            except RegistryError:
                allowed = False
        if not allowed:
            request.query.pop("from", None)

    def _authorize(self, request: Request, resource: str | None, action: str) -> None:
        if self.auth is not None:
            self.auth.authorize(request, resource, action)

    @staticmethod
    def _unsupported(request: Request, allowed: list[str]) -> RegistryError:
        return RegistryError(
            "UNSUPPORTED",
            f"{request.method} is not supported on {request.path}; use {', '.join(allowed)}",
            headers=[("Allow", ", ".join(allowed))],
        )

    @staticmethod
    def _respond(
        request: Request, response: Response, start_response: StartResponse
    ) -> Iterable[bytes]:
        body = response.body
        if request.method == "HEAD":
            if isinstance(body, BlobBody):
                body.close()
            length = response.head_length
            if length is None:
                length = len(body) if isinstance(body, bytes) else 0
            body = b""
        elif isinstance(body, bytes):
            length = len(body)
        elif isinstance(body, BlobBody):
            length = body.length
        else:
            body = b"".join(body)
            length = len(body)
        headers = [
            *response.headers,
            ("Content-Length", str(length)),
            ("Docker-Distribution-API-Version", "registry/2.0"),
        ]
        if not any(name == "Content-Type" for name, _ in headers) and length:
            headers.append(("Content-Type", "application/octet-stream"))
        reason = STATUS_REASONS.get(response.status, "Unknown")
        start_response(f"{response.status} {reason}", headers)
        if isinstance(body, bytes):
            return [body] if body else []
        return body
