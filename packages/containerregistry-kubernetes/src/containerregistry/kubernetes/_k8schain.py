"""The k8schain: pull secrets first, then the keychains of docker, Google, GitHub and
the cloud credential helpers."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from containerregistry.authn import (
    ANONYMOUS,
    Authenticator,
    Basic,
    CredentialHelper,
    CredentialHelperError,
    Keychain,
    Resource,
    default_keychain,
    from_config,
    multi_keychain,
    resource_keys,
)
from containerregistry.kubernetes._cluster import (
    StrPath,
    in_cluster_available,
    kubeconfig_available,
)
from containerregistry.kubernetes._keychain import kubernetes_keychain
from containerregistry.kubernetes._match import registry_matches
from containerregistry.logs import warn

_log = logging.getLogger("containerregistry.kubernetes")
_log.addHandler(logging.NullHandler())

#: GitHub's container registry, the only host :class:`GitHubKeychain` answers for.
GITHUB_HOST = "ghcr.io"

#: Amazon ECR: private registries (``<account>.dkr.ecr.<region>.amazonaws.com``, the
#: China and FIPS endpoints) and ECR Public. ``docker-credential-ecr-login`` serves them.
ECR_HOSTS = (
    "*.dkr.ecr.*.amazonaws.com",
    "*.dkr.ecr-fips.*.amazonaws.com",
    "*.dkr.ecr.*.amazonaws.com.cn",
    "public.ecr.aws",
)

#: Azure Container Registry in Azure's public, China, Germany and US Government
#: clouds. ``docker-credential-acr-env`` serves them.
ACR_HOSTS = ("*.azurecr.io", "*.azurecr.cn", "*.azurecr.de", "*.azurecr.us")


class GitHubKeychain:
    """``$GITHUB_TOKEN`` for ``ghcr.io``, as GitHub Actions provide it.

    The username is ``$GITHUB_ACTOR`` (``unset`` when empty: ghcr.io only checks the
    token). Other hosts, or no token, give :data:`ANONYMOUS`. The environment
    (``env``, default ``os.environ``) is read on every :meth:`resolve`.
    """

    def __init__(self, *, env: Mapping[str, str] | None = None) -> None:
        self._env = env

    def resolve(self, target: Resource) -> Authenticator:
        """Return ``Basic($GITHUB_ACTOR, $GITHUB_TOKEN)`` for ``ghcr.io``."""
        if resource_keys(target)[-1].lower() != GITHUB_HOST:
            return ANONYMOUS
        env = os.environ if self._env is None else self._env
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            return ANONYMOUS
        return Basic(env.get("GITHUB_ACTOR") or "unset", token)

    def __repr__(self) -> str:
        return "GitHubKeychain()"


class HelperKeychain:
    """A ``docker-credential-<helper>`` program, asked only about registries it serves.

    ``hosts`` are globbed registry keys (see
    :func:`~containerregistry.kubernetes.registry_matches`); for a registry matching
    none of them, or when the program is not on ``PATH``, the answer is
    :data:`ANONYMOUS` without running anything. A helper that fails is a warning and
    :data:`ANONYMOUS`, as in ggcr. The helper gets the registry host on stdin
    (the credential-helper protocol's ``get``).
    """

    def __init__(self, helper: str, *, hosts: Iterable[str]) -> None:
        self.helper = CredentialHelper(helper)
        self.hosts = tuple(hosts)

    def serves(self, host: str) -> bool:
        """Whether ``host`` (``registry[:port]``) is one this helper is asked about."""
        return any(registry_matches(pattern, host) for pattern in self.hosts)

    def resolve(self, target: Resource) -> Authenticator:
        """Return the helper's credentials for the target's registry."""
        host = resource_keys(target)[-1]
        if not self.serves(host):
            return ANONYMOUS
        if shutil.which(self.helper.program) is None:
            _log.debug("%s is not on PATH; no credentials for %s", self.helper.program, host)
            return ANONYMOUS
        try:
            found = self.helper.get(host)
        except CredentialHelperError as exc:
            warn.warning("%s; continuing without its credentials", exc)
            return ANONYMOUS
        return from_config(found)

    def __repr__(self) -> str:
        return f"HelperKeychain({self.helper.name!r}, hosts={list(self.hosts)!r})"


def cloud_keychains(*, env: Mapping[str, str] | None = None) -> list[Keychain]:
    """Return the k8schain without its Kubernetes part, in order: docker/podman
    files, Google, GitHub, ``docker-credential-ecr-login`` for :data:`ECR_HOSTS`,
    ``docker-credential-acr-env`` for :data:`ACR_HOSTS`. ``env`` (default
    ``os.environ``) is where the GitHub keychain reads its token."""
    from containerregistry.google import KEYCHAIN as GOOGLE_KEYCHAIN

    return [
        default_keychain(),
        GOOGLE_KEYCHAIN,
        GitHubKeychain(env=env),
        HelperKeychain("ecr-login", hosts=ECR_HOSTS),
        HelperKeychain("acr-env", hosts=ACR_HOSTS),
    ]


def k8schain(
    *,
    namespace: str = "default",
    service_account: str | None = "default",
    image_pull_secrets: Sequence[str] = (),
    use_mount_secrets: bool = False,
    no_cluster: bool = False,
    api_client: Any = None,
    kubeconfig: StrPath | None = None,
    context: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Keychain:
    """Return the keychain a workload uses: its pull secrets, then the cloud keychains.

    The first keychain with an answer wins, in this order: the pull secrets of
    :func:`~containerregistry.kubernetes.kubernetes_keychain` (same options), then
    :func:`cloud_keychains`. With ``no_cluster`` (default False) the cluster is not
    asked at all. Without ``api_client``, ``kubeconfig`` or ``context``, and with
    neither a kubeconfig file nor an in-cluster environment, the cluster part is left
    out too, so outside Kubernetes the chain is the cloud keychains alone. Errors of
    the cluster part propagate (see ``kubernetes_keychain``); ``env`` (default
    ``os.environ``) is where a kubeconfig, the in-cluster variables and
    ``GITHUB_TOKEN`` are looked up.
    """
    chain: list[Keychain] = []
    if not no_cluster:
        explicit = api_client is not None or kubeconfig is not None or context is not None
        if explicit or kubeconfig_available(env=env) or in_cluster_available(env=env):
            chain.append(
                kubernetes_keychain(
                    namespace=namespace,
                    service_account=service_account,
                    image_pull_secrets=image_pull_secrets,
                    use_mount_secrets=use_mount_secrets,
                    api_client=api_client,
                    kubeconfig=kubeconfig,
                    context=context,
                    env=env,
                )
            )
        else:
            _log.debug("no kubeconfig and not in a pod: the k8schain has no Kubernetes part")
    chain.extend(cloud_keychains(env=env))
    return multi_keychain(*chain)
