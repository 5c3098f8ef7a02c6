"""Helpers for the gcrane tests: the GCR-flavoured embedded registry with images pushed.

Imported by name (``conftest`` puts this folder on ``sys.path``); the integration
tests import it too.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from containerregistry import name, random, remote
from containerregistry.registry import Registry, make_server
from containerregistry.transport import Retry

#: Whole-operation retries without waiting.
NO_WAIT = Retry(attempts=3, backoff=0.0, jitter=0.0, sleep=lambda _: None)


@dataclasses.dataclass
class Gcr:
    """A GCR-flavoured embedded registry served on 127.0.0.1."""

    registry: Registry
    host: str
    #: digest -> statuses to answer, one per DELETE of that manifest, before passing on.
    delete_faults: dict[str, list[int]] = dataclasses.field(default_factory=dict)
    #: (method, path) of every request, in order.
    seen: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    def repo(self, path: str) -> str:
        return f"{self.host}/{path}"

    def push(self, ref: str, *, seed: int, index: bool = False) -> str:
        """Push a small random image (or a two-image index) to ``host/ref``; return its digest."""
        parsed = name.parse_reference(self.repo(ref), insecure=True)
        if index:
            item: Any = random.index(64, 1, 2, seed=seed)
            remote.write_index(parsed, item, insecure=True)
        else:
            item = random.image(64, 1, seed=seed)
            remote.write(parsed, item, insecure=True)
        return str(item.digest())

    def tag(self, repo: str, digest: str, tag: str) -> None:
        found = remote.get(name.parse_reference(self.repo(f"{repo}@{digest}"), insecure=True))
        remote.tag(name.new_tag(self.repo(f"{repo}:{tag}"), insecure=True), found, insecure=True)


def serve_gcr() -> Iterator[Gcr]:
    """Serve a GCR-flavoured registry on 127.0.0.1 until the generator closes.

    Requests are recorded in ``Gcr.seen``; ``Gcr.delete_faults`` makes DELETEs of a
    manifest fail with the statuses listed.
    """
    registry = Registry(gcr=True)
    holder: list[Gcr] = []

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        gcr = holder[0]
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        gcr.seen.append((method, path))
        digest = path.rsplit("/", 1)[-1]
        faults = gcr.delete_faults.get(digest)
        if method == "DELETE" and "/manifests/" in path and faults:
            status = faults.pop(0)
            body = json.dumps({"errors": [{"code": "DENIED", "message": "not today"}]})
            if status >= 500:
                body = json.dumps({"errors": [{"code": "UNAVAILABLE", "message": "busy"}]})
            start_response(f"{status} Fault", [("Content-Type", "application/json")])
            return [body.encode()]
        return registry(environ, start_response)

    server = make_server(app, address="127.0.0.1:0").start()
    holder.append(Gcr(registry, f"127.0.0.1:{server.port}"))
    try:
        yield holder[0]
    finally:
        server.stop()
