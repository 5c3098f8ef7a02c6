"""``Registry``: the host[:port] part of a reference, and how to reach it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from containerregistry.lazy import record
from containerregistry.name._check import authority_problem
from containerregistry.name._errors import BadNameError, quote

if TYPE_CHECKING:  # the repository module imports this one
    from containerregistry.name._repository import Repository

DEFAULT_REGISTRY = "index.docker.io"
#: Docker Hub's short name; ggcr rewrites it so credentials and URLs agree.
DOCKER_HUB_ALIAS = "docker.io"

# The registries ggcr reaches over plain http by default. Like Go's regexp, \d is
# ASCII only here, and the patterns must match the whole name.
_LOCALHOST_SUBDOMAIN = re.compile(r".*\.localhost(?::[0-9]{1,5})?")
_IPV4_LOOPBACK = re.compile(r"127\.0\.0\.1(?::[0-9]{1,5})?")
_IPV6_LOOPBACK = re.compile(r"::1|\[::1\](?::[0-9]{1,5})?")
_PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


def _is_rfc1918(name: str) -> bool:
    # ggcr looks at the text before the first ':', so only IPv4 hosts can match.
    host = name.split(":", 1)[0]
    if not host or not host[0].isdigit():
        return False  # skip the ipaddress import for ordinary host names
    import ipaddress

    try:
        address = ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return any(address in ipaddress.IPv4Network(net) for net in _PRIVATE_NETWORKS)


@record
class Registry:
    """A registry such as ``index.docker.io``, ``gcr.io`` or ``localhost:5000``.

    Build one with :func:`new_registry` (which applies the defaults) or take it from
    a parsed repository or reference. Two registries are equal when their names and
    ``insecure`` flags are.

    Attributes:
        registry_str: the registry as used in URLs, e.g. ``index.docker.io``.
        insecure: whether plain http is allowed for it (default ``False``).
    """

    registry_str: str
    insecure: bool = False

    def __post_init__(self) -> None:
        if not self.registry_str:
            raise BadNameError("registry", self.registry_str, "a registry name must be given")
        problem = authority_problem(self.registry_str)
        if problem:
            raise BadNameError("registry", self.registry_str, problem)

    @property
    def name(self) -> str:
        """The registry name, e.g. ``index.docker.io`` (the same as ``registry_str``)."""
        return self.registry_str

    @property
    def scheme(self) -> str:
        """``http`` or ``https``: the scheme to try first for this registry.

        ``http`` when ``insecure`` is set, and for registries that are almost always
        local: RFC 1918 IPv4 addresses, ``localhost`` (with or without a port),
        ``*.localhost[:port]``, ``127.0.0.1[:port]``, ``::1`` and ``[::1]:port``.
        ``https`` for everything else.
        """
        name = self.registry_str
        if (
            self.insecure
            or _is_rfc1918(name)
            or name == "localhost"
            or name.startswith("localhost:")
            or _LOCALHOST_SUBDOMAIN.fullmatch(name)
            or _IPV4_LOOPBACK.fullmatch(name)
            or _IPV6_LOOPBACK.fullmatch(name)
        ):
            return "http"
        return "https"

    def scope(self, action: str = "*") -> str:
        """The token scope for registry-wide access: always ``registry:catalog:*``.

        ``action`` is ignored: the catalog is the only registry-level resource.
        """
        del action
        return "registry:catalog:*"

    def repo(self, *parts: str) -> Repository:
        """Return the repository ``parts`` joined with ``/`` in this registry.

        Unlike ggcr, the path is validated (and raises :class:`BadNameError`); no
        ``library/`` prefix is added.
        """
        from containerregistry.name._repository import Repository

        return Repository(self, "/".join(p.strip("/") for p in parts if p.strip("/")))

    def __str__(self) -> str:
        return self.registry_str

    def __repr__(self) -> str:
        flag = ", insecure=True" if self.insecure else ""
        return f"Registry({self.registry_str!r}{flag})"


def new_registry(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
) -> Registry:
    """Parse a registry name such as ``gcr.io`` or ``localhost:5000``.

    Args:
        name: a RFC 3986 authority (``host[:port]``); ``""`` means the default.
        strict: require ``name`` to be given (default ``False``).
        insecure: allow plain http for the registry (default ``False``).
        default_registry: used when ``name`` is empty (default ``index.docker.io``).

    ``docker.io`` is rewritten to ``index.docker.io``, as ggcr does.

    Raises:
        BadNameError: ``name`` is not a valid authority, or is empty while strict.
    """
    if strict and not name:
        raise BadNameError(
            "registry",
            name,
            "strict validation requires the registry to be explicitly defined",
        )
    problem = authority_problem(name)
    if problem:
        raise BadNameError("registry", name, problem)
    if not name:
        if not default_registry or authority_problem(default_registry):
            raise BadNameError(
                "registry",
                name,
                f"the default registry {quote(default_registry)} is not a valid "
                "RFC 3986 URI authority (host[:port])",
            )
        name = default_registry
    if name == DOCKER_HUB_ALIAS:
        name = DEFAULT_REGISTRY
    return Registry(name, insecure)
