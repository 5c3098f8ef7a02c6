"""Kubernetes image pull secrets as a keychain, and the k8schain of cloud keychains.

:func:`kubernetes_keychain` reads the pull secrets a pod would use (named ones, then
its service account's) through the official ``kubernetes`` client, and matches
registries as the kubelet does; :func:`k8schain` puts them before the docker,
Google, GitHub, ECR and ACR keychains.
"""

from containerregistry.kubernetes._cluster import (
    DEFAULT_TIMEOUT,
    IN_CLUSTER_CA_FILE,
    IN_CLUSTER_TOKEN_FILE,
    ClusterReader,
    cluster_client,
    in_cluster_available,
    in_cluster_client,
    kubeconfig_available,
    kubeconfig_client,
)
from containerregistry.kubernetes._errors import (
    ClusterConfigError,
    KubernetesAPIError,
    KubernetesError,
)
from containerregistry.kubernetes._k8schain import (
    ACR_HOSTS,
    ECR_HOSTS,
    GITHUB_HOST,
    GitHubKeychain,
    HelperKeychain,
    cloud_keychains,
    k8schain,
)
from containerregistry.kubernetes._keychain import (
    DOCKER_CONFIG_JSON_TYPE,
    DOCKERCFG_TYPE,
    Secret,
    SecretsKeychain,
    keychain_from_secrets,
    kubernetes_keychain,
)
from containerregistry.kubernetes._match import DOCKER_HUB, normalize_key, registry_matches

__all__ = [
    "ACR_HOSTS",
    "DEFAULT_TIMEOUT",
    "DOCKERCFG_TYPE",
    "DOCKER_CONFIG_JSON_TYPE",
    "DOCKER_HUB",
    "ECR_HOSTS",
    "GITHUB_HOST",
    "IN_CLUSTER_CA_FILE",
    "IN_CLUSTER_TOKEN_FILE",
    "ClusterConfigError",
    "ClusterReader",
    "GitHubKeychain",
    "HelperKeychain",
    "KubernetesAPIError",
    "KubernetesError",
    "Secret",
    "SecretsKeychain",
    "cloud_keychains",
    "cluster_client",
    "in_cluster_available",
    "in_cluster_client",
    "k8schain",
    "keychain_from_secrets",
    "kubeconfig_available",
    "kubeconfig_client",
    "kubernetes_keychain",
    "normalize_key",
    "registry_matches",
]
