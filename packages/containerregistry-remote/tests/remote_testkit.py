"""Helpers for the remote tests: a recording middleware, a served registry, in-memory images.

Imported by name (``conftest`` puts this folder on ``sys.path``; pytest runs with
``--import-mode=importlib``)."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import json
import random
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from containerregistry import name, types
from containerregistry.registry import Registry, make_server
from containerregistry.transport import Retry
from containerregistry.v1 import ConfigFile, Descriptor, Hash, IndexManifest, Layer, Manifest

#: No waiting between retries in tests.
FAST_RETRY = Retry(attempts=3, backoff=0.0, jitter=0.0, sleep=lambda _: None)


@dataclasses.dataclass
class Seen:
    """One request the registry received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body_size: int
    status: int = 0

    def arg(self, key: str) -> str | None:
        from urllib.parse import parse_qs

        values = parse_qs(self.query).get(key)
        return values[0] if values else None


Fault = Callable[[dict[str, Any], "Recorder"], "str | None"]


def sever(environ: dict[str, Any]) -> None:
    """Cut the client's connection (the response the app produced is never seen)."""
    raw = environ["wsgi.input"]._stream.raw  # the server's socket file
    raw._sock.shutdown(socket.SHUT_RDWR)


class Recorder:
    """WSGI middleware: logs each request; ``fault`` may cut or alter one."""

    def __init__(self, app: Registry) -> None:
        self.app = app
        self.seen: list[Seen] = []
        self.fault: Fault | None = None
        self.rewrite_headers: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None
        self.rewrite_body: Callable[[Seen, bytes], bytes] | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        if "CONTENT_TYPE" in environ:
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        body = environ["wsgi.input"]
        counter = _CountingInput(body)
        environ["wsgi.input"] = counter
        seen = Seen(
            environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["QUERY_STRING"], headers, 0
        )
        with self._lock:
            self.seen.append(seen)
        action = self.fault(environ, self) if self.fault is not None else None
        captured: list[Any] = []

        def capture(status: str, hdrs: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen.status = int(status.split()[0])
            if self.rewrite_headers is not None:
                hdrs = self.rewrite_headers(hdrs)
            captured.append((status, hdrs))
            return start_response(status, hdrs, exc_info)

        if action == "drop":  # the connection breaks before the registry sees the body
            sever(environ | {"wsgi.input": body})
            capture("500 Internal Server Error", [("Content-Length", "0")])
            return []
        if action is not None and action.startswith("429"):  # "429" or "429 retry-after=7"
            _, _, after = action.partition(" retry-after=")
            counter.read(int(environ.get("CONTENT_LENGTH") or 0))  # the body, unused
            seen.body_size = counter.count
            hdrs = [("Content-Type", "application/json")]
            hdrs += [("Retry-After", after)] if after else []
            capture("429 Too Many Requests", hdrs)
            return [b'{"errors":[{"code":"TOOMANYREQUESTS","message":"injected"}]}']
        if action == "not-found":
            body = b'{"errors":[{"code":"BLOB_UNKNOWN","message":"injected"}]}'
            capture("404 Not Found", [("Content-Type", "application/json")])
            return [] if seen.method == "HEAD" else [body]
        result = self.app(environ, capture)
        seen.body_size = counter.count
        if action == "sever":
            sever(environ | {"wsgi.input": body})
        if self.rewrite_body is not None and environ["REQUEST_METHOD"] == "GET":
            data = b"".join(result)
            return [self.rewrite_body(seen, data)]
        return result

    def requests(self, method: str | None = None, contains: str = "") -> list[Seen]:
        with self._lock:
            return [
                s
                for s in self.seen
                if (method is None or s.method == method) and contains in s.path + "?" + s.query
            ]

    def clear(self) -> None:
        with self._lock:
            self.seen.clear()


class _CountingInput:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.count = 0
        self.limit: int | None = None

    def read(self, size: int = -1) -> bytes:
        if self.limit is not None:
            if self.count >= self.limit:
                return b""
            size = self.limit - self.count if size < 0 else min(size, self.limit - self.count)
        data: bytes = self.inner.read(size)
        self.count += len(data)
        return data

    def __getattr__(self, item: str) -> Any:
        return getattr(self.inner, item)


@dataclasses.dataclass
class Served:
    """A running embedded registry."""

    app: Registry
    recorder: Recorder
    host: str

    def repo(self, path: str) -> name.Repository:
        return name.new_repository(f"{self.host}/{path}")

    def ref(self, text: str) -> name.Reference:
        return name.parse_reference(f"{self.host}/{text}")


def serve(app: Registry) -> Iterator[Served]:
    recorder = Recorder(app)
    server = make_server(recorder, address="127.0.0.1:0").start()
    try:
        yield Served(app, recorder, f"127.0.0.1:{server.port}")
    finally:
        server.stop()


# -- images built in memory ------------------------------------------------------------------


class BlobLayer:
    """A gzip layer held in memory (tests only)."""

    def __init__(self, data: bytes, media_type: str = types.OCI_LAYER) -> None:
        self.tar = data
        self.blob = gzip.compress(data, mtime=0)
        self._media_type = media_type
        self.opened = 0

    def digest(self) -> Hash:
        return Hash.of(self.blob)

    def diff_id(self) -> Hash:
        return Hash.of(self.tar)

    def compressed(self) -> BinaryIO:
        self.opened += 1
        return io.BytesIO(self.blob)

    def uncompressed(self) -> BinaryIO:
        return io.BytesIO(self.tar)

    def size(self) -> int:
        return len(self.blob)

    def media_type(self) -> str:
        return self._media_type


class MemoryImage:
    """An OCI image from in-memory layers (tests only)."""

    def __init__(
        self,
        layers: list[BlobLayer],
        *,
        platform: tuple[str, str] = ("linux", "amd64"),
        subject: Descriptor | None = None,
        artifact_type: str = "",
    ) -> None:
        self._layers = layers
        config = {
            "architecture": platform[1],
            "os": platform[0],
            "rootfs": {"type": "layers", "diff_ids": [str(lay.diff_id()) for lay in layers]},
        }
        self.config = json.dumps(config, sort_keys=True).encode()
        manifest = Manifest(
            media_type=types.OCI_MANIFEST_SCHEMA1,
            config=Descriptor(
                media_type=types.OCI_CONFIG_JSON, size=len(self.config), digest=Hash.of(self.config)
            ),
            layers=tuple(
                Descriptor(media_type=lay.media_type(), size=lay.size(), digest=lay.digest())
                for lay in layers
            ),
            subject=subject,
            artifact_type=artifact_type,
        )
        self.raw = manifest.to_json()

    def layers(self) -> list[Layer]:
        return list(self._layers)

    def media_type(self) -> str:
        return types.OCI_MANIFEST_SCHEMA1

    def size(self) -> int:
        return len(self.raw)

    def config_name(self) -> Hash:
        return Hash.of(self.config)

    def config_file(self) -> ConfigFile:
        return ConfigFile.from_json(self.config)

    def raw_config_file(self) -> bytes:
        return self.config

    def digest(self) -> Hash:
        return Hash.of(self.raw)

    def manifest(self) -> Manifest:
        return Manifest.from_json(self.raw)

    def raw_manifest(self) -> bytes:
        return self.raw

    def layer_by_digest(self, digest: Hash) -> Layer:
        return next(lay for lay in self._layers if lay.digest() == digest)

    def layer_by_diff_id(self, diff_id: Hash) -> Layer:
        return next(lay for lay in self._layers if lay.diff_id() == diff_id)


class MemoryIndex:
    """An OCI index of in-memory images (tests only)."""

    def __init__(self, images: list[tuple[MemoryImage, str]]) -> None:
        from containerregistry.v1 import Platform

        self.images = {img.digest(): img for img, _ in images}
        manifests = tuple(
            Descriptor(
                media_type=img.media_type(),
                size=img.size(),
                digest=img.digest(),
                platform=Platform.parse(plat),
            )
            for img, plat in images
        )
        self.raw = IndexManifest(media_type=types.OCI_IMAGE_INDEX, manifests=manifests).to_json()

    def media_type(self) -> str:
        return types.OCI_IMAGE_INDEX

    def digest(self) -> Hash:
        return Hash.of(self.raw)

    def size(self) -> int:
        return len(self.raw)

    def index_manifest(self) -> IndexManifest:
        return IndexManifest.from_json(self.raw)

    def raw_manifest(self) -> bytes:
        return self.raw

    def image(self, digest: Hash) -> MemoryImage:
        return self.images[digest]

    def image_index(self, digest: Hash) -> Any:
        raise KeyError(digest)


def random_layer(size: int, seed: int) -> BlobLayer:
    """A layer of incompressible bytes (so the blob is about ``size`` bytes)."""
    rng = random.Random(seed)
    return BlobLayer(rng.randbytes(size))


def random_image(seed: int, *, layers: int = 2, size: int = 2048, **kw: Any) -> MemoryImage:
    return MemoryImage([random_layer(size, seed * 100 + i) for i in range(layers)], **kw)


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()
