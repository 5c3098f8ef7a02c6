"""Helpers for the gcrane tests: the GCR-flavoured embedded registry with images pushed.

Imported by name (``conftest`` puts this folder on ``sys.path``); the integration
tests import it too.
"""

from __future__ import annotations

import dataclasses
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
    """Serve a GCR-flavoured registry on 127.0.0.1 until the generator closes."""
    registry = Registry(gcr=True)
    server = make_server(registry, address="127.0.0.1:0").start()
    try:
        yield Gcr(registry, f"127.0.0.1:{server.port}")
    finally:
        server.stop()
