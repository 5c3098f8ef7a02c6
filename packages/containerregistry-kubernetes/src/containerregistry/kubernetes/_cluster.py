"""Cluster access through the official ``kubernetes`` client, imported only when used.

A kubeconfig is read as kubectl reads it (``$KUBECONFIG`` lists of files, contexts,
exec plugins, auth providers, client certificates); inside a pod the service
account's token and CA and ``KUBERNETES_SERVICE_HOST``/``PORT`` are used. Reads
return the objects' JSON as the API server sends it.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from containerregistry.kubernetes._errors import ClusterConfigError, KubernetesAPIError

#: Where the kubelet mounts a pod's service-account token and the cluster's CA.
IN_CLUSTER_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"
IN_CLUSTER_CA_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"

#: Seconds a single read of a secret or service account may take; the client's
#: own default is to wait forever on a server that accepted the connection.
DEFAULT_TIMEOUT = 30.0

StrPath = str | os.PathLike[str]


def _module(name: str) -> Any:
    """Import a module of the ``kubernetes`` client (untyped) only when it is needed."""
    return importlib.import_module(name)


def _kubeconfig_paths(env: Mapping[str, str]) -> list[Path]:
    listed = env.get("KUBECONFIG", "")
    if listed:
        return [Path(p).expanduser() for p in listed.split(os.pathsep) if p]
    home = Path(env["HOME"]) if env.get("HOME") else Path.home()
    return [home / ".kube" / "config"]


def in_cluster_available(
    *,
    token_file: StrPath = IN_CLUSTER_TOKEN_FILE,
    env: Mapping[str, str] | None = None,
) -> bool:
    """Return whether this process looks like it runs in a pod: ``KUBERNETES_SERVICE_HOST``
    and ``KUBERNETES_SERVICE_PORT`` are set and the token file (default: the
    service account's mount) exists. ``env`` defaults to ``os.environ``."""
    env = os.environ if env is None else env
    has_service = bool(env.get("KUBERNETES_SERVICE_HOST") and env.get("KUBERNETES_SERVICE_PORT"))
    return has_service and Path(token_file).is_file()


def kubeconfig_available(*, env: Mapping[str, str] | None = None) -> bool:
    """Return whether a kubeconfig file exists where kubectl would look: any file of
    ``$KUBECONFIG``, else ``~/.kube/config``. ``env`` defaults to ``os.environ``."""
    env = os.environ if env is None else env
    return any(path.is_file() for path in _kubeconfig_paths(env))


def kubeconfig_client(
    *,
    kubeconfig: StrPath | None = None,
    context: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Return a ``kubernetes.client.ApiClient`` configured from a kubeconfig.

    ``kubeconfig`` defaults to ``$KUBECONFIG`` (several files joined with ``:`` are
    merged, as kubectl merges them) or ``~/.kube/config``; ``context`` defaults to the
    file's ``current-context``. The file is never written back (a refreshed token of
    an auth provider stays in memory). Raises :class:`ClusterConfigError`.
    """
    env = os.environ if env is None else env
    if kubeconfig is not None:
        files = os.fspath(kubeconfig)
    else:
        files = os.pathsep.join(str(p) for p in _kubeconfig_paths(env))
    kube_config = _module("kubernetes.config")
    try:
        return kube_config.new_client_from_config(
            config_file=files, context=context, persist_config=False
        )
    # The loader raises whatever its parts raise (ConfigException, yaml's errors,
    # KeyError on a malformed entry, OSError): each means the kubeconfig is unusable.
    except Exception as exc:
        where = f"context {context!r} of " if context else ""
        raise ClusterConfigError(
            f"cannot use {where}the kubeconfig {files}: {_reason(exc)}; "
            "check it with `kubectl config view`"
        ) from None


def in_cluster_client(
    *,
    token_file: StrPath = IN_CLUSTER_TOKEN_FILE,
    ca_file: StrPath = IN_CLUSTER_CA_FILE,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Return a ``kubernetes.client.ApiClient`` for the cluster this pod runs in.

    It talks to ``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``, trusts
    ``ca_file`` and sends the service-account token of ``token_file`` (both default to
    the kubelet's mount; the token is re-read as it rotates). ``env`` defaults to
    ``os.environ``. Raises :class:`ClusterConfigError` outside a cluster.
    """
    env = os.environ if env is None else env
    kube_client = _module("kubernetes.client")
    kube_config = _module("kubernetes.config")
    configuration = kube_client.Configuration()
    loader = _module("kubernetes.config.incluster_config").InClusterConfigLoader(
        token_filename=os.fspath(token_file),
        cert_filename=os.fspath(ca_file),
        environ=dict(env),
    )
    try:
        loader.load_and_set(configuration)
    except (kube_config.ConfigException, OSError) as exc:
        raise ClusterConfigError(
            f"cannot use the in-cluster configuration: {_reason(exc)}; outside a pod, "
            "use a kubeconfig instead"
        ) from None
    return kube_client.ApiClient(configuration)


def cluster_client(
    *,
    kubeconfig: StrPath | None = None,
    context: str | None = None,
    token_file: StrPath = IN_CLUSTER_TOKEN_FILE,
    ca_file: StrPath = IN_CLUSTER_CA_FILE,
    env: Mapping[str, str] | None = None,
) -> Any:
    """Return an ``ApiClient`` chosen as kubectl chooses its configuration.

    An explicit ``kubeconfig`` or ``context``, or an existing kubeconfig file
    (``$KUBECONFIG``, ``~/.kube/config``), wins; otherwise the in-cluster
    configuration (see :func:`in_cluster_client`). Raises :class:`ClusterConfigError`
    when there is neither.
    """
    env = os.environ if env is None else env
    if kubeconfig is not None or context is not None or kubeconfig_available(env=env):
        return kubeconfig_client(kubeconfig=kubeconfig, context=context, env=env)
    if in_cluster_available(token_file=token_file, env=env):
        return in_cluster_client(token_file=token_file, ca_file=ca_file, env=env)
    raise ClusterConfigError(
        "no Kubernetes configuration: no kubeconfig ($KUBECONFIG or ~/.kube/config) and "
        "not running in a pod (KUBERNETES_SERVICE_HOST unset or no service-account token); "
        "give a kubeconfig, or leave the cluster out"
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


class ClusterReader:
    """Reads of service accounts and secrets through one ``ApiClient``.

    Each read returns the object's JSON as a dict, or None when the API server
    answers 404. Other failures raise :class:`KubernetesAPIError`.
    """

    def __init__(self, api_client: Any, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._api = _module("kubernetes.client").CoreV1Api(api_client)
        self._host = str(getattr(api_client.configuration, "host", "the API server"))
        self._timeout = timeout

    def service_account(self, namespace: str, name: str) -> dict[str, Any] | None:
        """Return ``GET /api/v1/namespaces/{namespace}/serviceaccounts/{name}``."""
        return self._read(
            self._api.read_namespaced_service_account, "serviceaccount", namespace, name
        )

    def secret(self, namespace: str, name: str) -> dict[str, Any] | None:
        """Return ``GET /api/v1/namespaces/{namespace}/secrets/{name}``."""
        return self._read(self._api.read_namespaced_secret, "secret", namespace, name)

    def _read(self, method: Any, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        import urllib3

        api_exception = _module("kubernetes.client.exceptions").ApiException
        what = f"{kind} {namespace}/{name} from {self._host}"
        try:
            response = method(
                name, namespace, _preload_content=False, _request_timeout=self._timeout
            )
            body = response.data
        except api_exception as exc:
            status = int(exc.status or 0)
            if status == 404:
                return None
            raise KubernetesAPIError(
                f"reading {what} failed with HTTP {status} {exc.reason or ''}".rstrip()
                + f"; {_advice(status, kind)}",
                status=status,
            ) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KubernetesAPIError(
                f"reading {what} failed: {_reason(exc)}; check that the API server is "
                "reachable (`kubectl cluster-info`)"
            ) from None
        try:
            document = json.loads(body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise KubernetesAPIError(
                f"reading {what} gave something that is not a JSON object; is the "
                "server a Kubernetes API server?",
                status=200,
            )
        return document


def _advice(status: int, kind: str) -> str:
    if status == 401:
        return "the API server did not accept the credentials; log in to the cluster again"
    if status == 403:
        return (
            f"the user or service account may not get {kind}s in that namespace; "
            f"grant it `get` on {kind}s (RBAC)"
        )
    return "try again, or check the API server's health"
