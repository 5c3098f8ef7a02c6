"""The shape every wrapper of the stack shares, and request-body rewinding."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter

Timeout = float | tuple[float, float] | tuple[float, None] | None
Cert = bytes | str | tuple[bytes | str, bytes | str] | None


class Layer(BaseAdapter):
    """A requests adapter that wraps another one (the next layer down the stack).

    Subclasses override :meth:`send`, do their part and call ``self.inner.send``.
    """

    def __init__(self, inner: BaseAdapter) -> None:
        super().__init__()
        self.inner = inner

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Pass the request down unchanged."""
        return self.inner.send(request, stream, timeout, verify, cert, proxies)

    def close(self) -> None:
        """Close the layers below."""
        self.inner.close()


def body_position(request: requests.PreparedRequest) -> int | None:
    """Return where a seekable body starts, or None if it is bytes/absent or unseekable.

    Call it before the first send; :func:`rewind` needs it to resend the body.
    """
    body: Any = request.body
    if body is None or isinstance(body, (bytes, str)):
        return None
    tell = getattr(body, "tell", None)
    if tell is None:
        return None
    try:
        return int(tell())
    except (OSError, io.UnsupportedOperation):
        return None


def rewind(request: requests.PreparedRequest, position: int | None) -> bool:
    """Make ``request`` sendable again; return False if its body is a one-shot stream.

    Bytes bodies are always resendable; file-like bodies are sought back to
    ``position`` (from :func:`body_position`); generators cannot be replayed.
    """
    body: Any = request.body
    if body is None or isinstance(body, (bytes, str)):
        return True
    if position is None:
        return False
    try:
        body.seek(position)
    except (OSError, AttributeError, io.UnsupportedOperation):
        return False
    return True
