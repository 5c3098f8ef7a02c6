"""Which hosts have answered this process: where waiting can help and where it cannot.

A host that has never answered and refuses the connection (nothing listens on that
port, a typo in it) will refuse it again in a second: the request fails at once, as
Go's crane does. Once a host has answered, a refusal or a reset is a registry
restarting behind its load balancer, and the retry budget applies. The record is
per ``host:port`` (the scheme's port filled in), shared by every session and thread
of the process, and only grows: a process talks to a handful of hosts.
"""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

from containerregistry.transport._scheme import canonical_address

_answered: set[str] = set()
_lock = threading.Lock()


def address_of(url: str) -> str:
    """``host:port`` of ``url`` (lower case, the scheme's port filled in, no user info)."""
    parts = urlsplit(url)
    return canonical_address(parts.netloc, parts.scheme or "https")


def record_answer(address: str) -> None:
    """Note that ``address`` (from :func:`address_of`) answered an HTTP request."""
    if address in _answered:  # the common case: no lock taken
        return
    with _lock:
        _answered.add(address)


def has_answered(address: str) -> bool:
    """Whether ``address`` (from :func:`address_of`) has answered in this process."""
    return address in _answered


def forget_answers() -> None:
    """Forget every host that answered (for tests that reuse a port)."""
    with _lock:
        _answered.clear()
