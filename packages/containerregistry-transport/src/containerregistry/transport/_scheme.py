"""Host matching and the scheme layer (http for registries that only speak http)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter

from containerregistry.transport._layer import Cert, Layer, Timeout

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_address(netloc: str, scheme: str) -> str:
    """Return ``host:port`` with the host lower-cased and the scheme's port filled in.

    ``gcr.io`` and ``gcr.io:443`` are the same address over https; ``[::1]:5000``
    keeps its brackets.
    """
    netloc = netloc.rsplit("@", 1)[-1].lower()
    if netloc.startswith("["):
        host, _, rest = netloc[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        host = f"[{host}]"
    elif netloc.count(":") == 1:
        host, _, port = netloc.partition(":")
    elif netloc.count(":") > 1:  # a bare IPv6 address
        host, port = f"[{netloc}]", ""
    else:
        host, port = netloc, ""
    return f"{host}:{port or _DEFAULT_PORTS.get(scheme, 443)}"


def host_of(netloc: str) -> str:
    """Return the host part of ``netloc`` without port or brackets."""
    address = canonical_address(netloc, "https")
    return address.rsplit(":", 1)[0].strip("[]")


def matches_host(url: str, registry: str, registry_scheme: str) -> bool:
    """Return whether ``url`` points at ``registry`` (host and effective port)."""
    parts = urlsplit(url)
    return canonical_address(parts.netloc, parts.scheme) == canonical_address(
        registry, registry_scheme
    )


def is_private_address(host: str) -> bool:
    """Return whether ``host`` is an IP literal in a loopback, private or link-local range."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local


class SchemeLayer(Layer):
    """Sends requests for the registry with the scheme the ping found (http or https).

    Callers may build every registry URL with ``https``; when the registry only
    answered over http (allowed for insecure, localhost, loopback and RFC 1918
    registries), this layer rewrites them.
    """

    def __init__(self, inner: BaseAdapter, registry: str, scheme: str) -> None:
        super().__init__(inner)
        self.registry = registry
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
        """Rewrite the scheme of requests for the registry, then send."""
        if self.scheme == "http" and request.url:
            parts = urlsplit(request.url)
            if parts.scheme == "https" and matches_host(request.url, self.registry, "https"):
                request.url = urlunsplit(("http", *parts[1:]))
        return self.inner.send(request, stream, timeout, verify, cert, proxies)
