"""The errors of the Kubernetes keychain and the k8schain."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class KubernetesError(ContainerRegistryError):
    """Base class of the errors raised by :mod:`containerregistry.kubernetes`."""


class ClusterConfigError(KubernetesError):
    """No usable cluster configuration: a kubeconfig that is missing or does not load,
    a context it does not have, or an in-cluster environment without its token or CA."""


class KubernetesAPIError(KubernetesError):
    """The API server refused or failed a read of a service account or secret.

    ``status`` is the HTTP status (0 when the server could not be reached). A 404 is
    never raised: a missing secret or service account is a warning.
    """

    def __init__(self, message: str, *, status: int = 0) -> None:
        super().__init__(message)
        self.status = status
