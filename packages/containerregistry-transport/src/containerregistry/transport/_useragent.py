"""The ``User-Agent`` layer."""

from __future__ import annotations

from collections.abc import Mapping

import requests
from requests.adapters import BaseAdapter

from containerregistry.transport._layer import Cert, Layer, Timeout

#: The version of this distribution, kept in lockstep with its siblings.
VERSION = "0.1.0"

#: What every request names itself, after the caller's own product token.
DEFAULT_USER_AGENT = f"containerregistry-python/{VERSION}"


def user_agent(product: str | None = None) -> str:
    """Return the User-Agent: ``"<product> containerregistry-python/<version>"``.

    ``product`` is e.g. ``"crane/0.1.0"``; None (the default) gives the library's
    token alone.
    """
    product = (product or "").strip()
    return f"{product} {DEFAULT_USER_AGENT}" if product else DEFAULT_USER_AGENT


class UserAgentLayer(Layer):
    """Sets ``User-Agent`` on every request, overriding requests' own."""

    def __init__(self, inner: BaseAdapter, agent: str) -> None:
        super().__init__(inner)
        self.agent = agent

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Set the header and send."""
        request.headers["User-Agent"] = self.agent
        return self.inner.send(request, stream, timeout, verify, cert, proxies)
