"""The basic-auth layer: credentials only for the registry's own host."""

from __future__ import annotations

import base64
from collections.abc import Mapping

import requests
from requests.adapters import BaseAdapter

from containerregistry.authn import AuthConfig, Authenticator
from containerregistry.transport._layer import Cert, Layer, Timeout
from containerregistry.transport._scheme import matches_host


def authorization_header(config: AuthConfig) -> str | None:
    """Return the ``Authorization`` value for ``config``, or None for anonymous.

    A registry token is sent as ``Bearer``; a username and password as ``Basic``.
    """
    if config.registry_token:
        return f"Bearer {config.registry_token}"
    resolved = config.resolved()
    if resolved.username or resolved.password:
        pair = f"{resolved.username}:{resolved.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


class BasicLayer(Layer):
    """Adds ``Authorization`` to requests whose host is ``host``, and to no other.

    Redirects to a blob store on another host therefore never carry the password.
    The authenticator is asked on every request, so refreshed credentials apply.
    """

    def __init__(
        self, inner: BaseAdapter, authenticator: Authenticator, host: str, scheme: str
    ) -> None:
        super().__init__(inner)
        self.authenticator = authenticator
        self.host = host
        self.scheme = scheme

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Timeout = None,
        verify: bool | str = True,
        cert: Cert = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Add the header when the host matches, then send."""
        if request.url and matches_host(request.url, self.host, self.scheme):
            header = authorization_header(self.authenticator.authorization())
            if header is not None:
                request.headers["Authorization"] = header
        else:
            request.headers.pop("Authorization", None)
        return self.inner.send(request, stream, timeout, verify, cert, proxies)
