"""Matching registry keys of pull secrets against images, as the kubelet does.

A key is a schemeless URL: ``host[:port][/path]``. It matches an image
(``host[:port]/repository``) when the host has as many dot-separated labels as the
image's and every label matches as a glob (``*.example.com``), the ports are equal
(no port only matches no port), and the key's path is a prefix of the repository
path. The prefix is a plain string prefix, as in the kubelet: ``quay.io/team``
matches ``quay.io/teamwork/app`` too.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit

#: Docker Hub answers to several names; its secrets are written for any of them
#: (``docker login`` stores ``https://index.docker.io/v1/``, people write
#: ``docker.io``), while references resolve to ``index.docker.io``.
DOCKER_HUB = "index.docker.io"
_DOCKER_HUB_ALIASES = frozenset({"docker.io", "registry-1.docker.io", DOCKER_HUB})


class BadKeyError(ValueError):
    """A registry key of a pull secret is not a URL (internal; the keychain warns)."""


def normalize_key(key: str) -> str:
    """Return the keyring key for a ``.dockerconfigjson`` / ``.dockercfg`` entry name.

    A missing scheme is taken as ``https://``; the scheme is then dropped, as are a
    leading ``/v1`` or ``/v2`` of the path (docker writes ``https://index.docker.io/v1/``)
    and a path of just ``/``. Hosts are lowercased and Docker Hub's aliases become
    ``index.docker.io``. Raises :class:`BadKeyError` for something that is not a URL.
    """
    value = key.strip()
    if not value.startswith(("https://", "http://")):
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise BadKeyError(str(exc)) from None
    host = _canonical_host(parts.netloc.rpartition("@")[2])
    if not host:
        raise BadKeyError("no host")
    path = parts.path
    if path.startswith(("/v1/", "/v2/")):
        path = path[3:]
    if path in ("", "/"):
        return host
    return host + path


def registry_matches(key: str, target: str) -> bool:
    """Return whether the normalized ``key`` covers ``target`` (``host[:port]/repository``
    or a bare ``host[:port]``); see the module docstring for the rules."""
    key_host, key_path = _split(key)
    target_host, target_path = _split(target)
    key_labels, key_port = _labels_and_port(key_host)
    target_labels, target_port = _labels_and_port(target_host)
    if key_port != target_port or len(key_labels) != len(target_labels):
        return False
    if not target_path.startswith(key_path):
        return False
    return all(_label_matches(g, t) for g, t in zip(key_labels, target_labels, strict=True))


def _canonical_host(netloc: str) -> str:
    host = netloc.lower()
    if host in _DOCKER_HUB_ALIASES:
        return DOCKER_HUB
    return host


def _split(schemeless: str) -> tuple[str, str]:
    host, slash, path = schemeless.partition("/")
    # Query and fragment are not part of the path, as when a URL parser reads the key.
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    return _canonical_host(host), slash + path


def _labels_and_port(host: str) -> tuple[list[str], str]:
    """Split ``host[:port]`` (``[v6]:port`` too); anything without exactly one port
    separator counts as a host without port, as Go's ``net.SplitHostPort`` failing does."""
    name, port = host, ""
    if host.startswith("["):
        end = host.find("]")
        if end != -1 and host[end + 1 : end + 2] == ":":
            name, port = host[1:end], host[end + 2 :]
    elif host.count(":") == 1:
        name, port = host.split(":")
    return name.split("."), port


def _label_matches(glob: str, label: str) -> bool:
    pattern = _compile_glob(glob)
    return pattern is not None and pattern.fullmatch(label) is not None


@functools.lru_cache(maxsize=512)
def _compile_glob(glob: str) -> re.Pattern[str] | None:
    """Translate a glob with Go's ``path.Match`` syntax (``*``, ``?``, ``[a-z]``,
    ``[^a-z]``, ``\\`` escapes) to a regular expression; None for a malformed glob,
    which matches nothing."""
    out: list[str] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        i += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\":
            if i == len(glob):
                return None
            out.append(re.escape(glob[i]))
            i += 1
        elif char == "[":
            parsed = _char_class(glob, i)
            if parsed is None:
                return None
            regex, i = parsed
            out.append(regex)
        else:
            out.append(re.escape(char))
    try:
        return re.compile("".join(out))
    except re.error:  # e.g. a range whose ends are reversed
        return None


def _char_class(glob: str, i: int) -> tuple[str, int] | None:
    negate = i < len(glob) and glob[i] == "^"
    if negate:
        i += 1
    items: list[str] = []
    while True:
        if i == len(glob):
            return None
        if glob[i] == "]" and items:
            break
        low, i = _class_char(glob, i)
        if low is None:
            return None
        if i < len(glob) and glob[i] == "-" and i + 1 < len(glob) and glob[i + 1] != "]":
            high, i = _class_char(glob, i + 1)
            if high is None:
                return None
            items.append(f"{re.escape(low)}-{re.escape(high)}")
        else:
            items.append(re.escape(low))
    return ("[^" if negate else "[") + "".join(items) + "]", i + 1


def _class_char(glob: str, i: int) -> tuple[str | None, int]:
    if glob[i] == "\\":
        if i + 1 == len(glob):
            return None, i
        return glob[i + 1], i + 2
    return glob[i], i + 1
