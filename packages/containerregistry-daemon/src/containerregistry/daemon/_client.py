"""The Docker SDK, imported on first use, and the low-level client every function talks to."""

from __future__ import annotations

from typing import Any

from containerregistry.daemon._errors import DockerSDKMissingError, translate


def docker_module() -> Any:
    """Import and return ``docker`` (not imported by ``import containerregistry.daemon``)."""
    try:
        import docker
    except ImportError as exc:
        raise DockerSDKMissingError(
            "the Docker SDK for Python is not installed; install it with "
            "`pip install 'docker>=7'` (or `pip install containerregistry-daemon`)"
        ) from exc
    return docker


def api_client(client: Any, *, action: str, subject: str) -> tuple[Any, bool]:
    """Return ``(low-level APIClient, created)`` for ``client``.

    ``client`` may be a ``docker.DockerClient`` (its ``.api`` is used), a
    ``docker.APIClient``, or None: then one is made from the environment
    (``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH``, as ``docker``
    does) and ``created`` is True so that the caller closes it.
    """
    if client is not None:
        return getattr(client, "api", client), False
    docker = docker_module()
    try:
        made = docker.from_env()
    except Exception as exc:
        raise translate(exc, action=action, subject=subject) from exc
    return made.api, True


def sdk_errors() -> tuple[type[BaseException], ...]:
    """Return the exception types the SDK and its HTTP stack raise."""
    docker = docker_module()
    import requests

    return (docker.errors.DockerException, requests.exceptions.RequestException, OSError)
