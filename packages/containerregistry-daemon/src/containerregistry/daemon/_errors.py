"""Errors raised when talking to the Docker daemon, and the translation of the SDK's."""

from __future__ import annotations

import os
from collections.abc import Iterator

from containerregistry.errors import ContainerRegistryError

#: What the Docker SDK talks to when DOCKER_HOST is not set (on Linux and macOS).
_DEFAULT_HOST = "unix:///var/run/docker.sock"


class DaemonError(ContainerRegistryError):
    """A Docker daemon operation failed."""


class DaemonOptionError(DaemonError, ValueError):
    """An option has a value the daemon functions do not accept."""


class DaemonNotRunningError(DaemonError):
    """The Docker daemon does not answer (not running, or DOCKER_HOST points elsewhere)."""


class DaemonPermissionError(DaemonError):
    """The Docker daemon's socket refused this user."""


class DaemonImageNotFoundError(DaemonError):
    """The Docker daemon has no image by that name."""


class DockerSDKMissingError(DaemonError):
    """The ``docker`` package (the Docker SDK for Python) is not installed."""


def docker_host() -> str:
    """Return the daemon address the SDK uses: ``$DOCKER_HOST`` or the default socket."""
    return os.environ.get("DOCKER_HOST") or _DEFAULT_HOST


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """Yield ``exc`` and every exception it wraps (causes, contexts, exception args)."""
    if depth > 8:
        return
    yield exc
    seen = {id(exc)}
    nested = [
        exc.__cause__,
        exc.__context__,
        *(a for a in exc.args if isinstance(a, BaseException)),
    ]
    # requests/urllib3 keep the socket error inside MaxRetryError.reason.
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        nested.append(reason)
    for inner in nested:
        if inner is not None and id(inner) not in seen:
            seen.add(id(inner))
            yield from _causes(inner, depth + 1)


def host_of(api: object) -> str:
    """Return the address ``api`` (a docker APIClient) talks to, as DOCKER_HOST spells it."""
    base = str(getattr(api, "base_url", "") or "")
    # Unix sockets and named pipes show as "http+docker://..."; the environment has the path.
    if not base or base.startswith("http+docker://"):
        return docker_host()
    return base


def translate(
    exc: BaseException, *, action: str, subject: str, host: str | None = None
) -> DaemonError:
    """Turn an exception from the Docker SDK into one :class:`DaemonError` that says what to do.

    ``action`` is what we were doing (``"save"``), ``subject`` the image it was done to,
    ``host`` the daemon's address (default: DOCKER_HOST or the default socket).
    """
    if isinstance(exc, DaemonError):
        return exc
    host = host or docker_host()
    chain = list(_causes(exc))
    text = " ".join(str(item) for item in chain)
    status = getattr(exc, "status_code", None)
    if status is None:
        # No HTTP status: the request never got an answer, so the socket is the problem.
        if any(isinstance(item, PermissionError) for item in chain) or (
            "permission denied" in text.lower()
        ):
            return DaemonPermissionError(
                f"cannot {action} {subject}: permission denied on the Docker daemon at {host}; "
                "add your user to the docker group (then log in again) or run as root"
            )
        unreachable = (FileNotFoundError, ConnectionRefusedError, ConnectionResetError)
        if any(isinstance(item, unreachable) for item in chain) or any(
            type(item).__name__ in ("ConnectionError", "NewConnectionError") for item in chain
        ):
            return DaemonNotRunningError(
                f"cannot {action} {subject}: the Docker daemon at {host} does not answer; "
                "start it (e.g. `systemctl start docker`) or point DOCKER_HOST at a running one"
            )
    if status == 404:
        return DaemonImageNotFoundError(
            f"cannot {action} {subject}: the Docker daemon at {host} has no such image; "
            "check the name, or pull or load the image first"
        )
    explanation = getattr(exc, "explanation", None) or str(exc)
    if status is not None:
        return DaemonError(
            f"cannot {action} {subject}: the Docker daemon at {host} answered "
            f"{status}: {explanation}"
        )
    return DaemonError(f"cannot {action} {subject} with the Docker daemon at {host}: {exc}")
