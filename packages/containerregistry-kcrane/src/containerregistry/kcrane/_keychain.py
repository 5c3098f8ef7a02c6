"""kcrane's keychain: the k8schain, made on the first credential lookup."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.authn import Authenticator, Keychain, Resource


class KcraneKeychain:
    """The k8schain of :mod:`containerregistry.kubernetes`, built when first asked.

    - ``namespace``: where the pull secrets and the service account live
      (default ``default``, as for a pod that names none).
    - ``service_account``: whose ``imagePullSecrets`` are used (default ``default``).
    - ``image_pull_secrets``: secrets named as a pod's ``imagePullSecrets``; they come
      before the service account's (default none).
    - ``no_cluster``: leave the cluster out and use the cloud keychains alone (docker
      and podman files, Google, GitHub, ECR and ACR helpers; default False).

    Outside a cluster and without a kubeconfig the chain is the cloud keychains, so
    kcrane then finds what crane finds. The chain (and with it the ``kubernetes``
    client and google-auth) is made on the first :meth:`resolve`, so commands that
    never authenticate, and ``--help``, load neither; a broken kubeconfig or an API
    server that refuses the reads fails that first lookup.
    """

    def __init__(
        self,
        *,
        namespace: str = "default",
        service_account: str = "default",
        image_pull_secrets: Sequence[str] = (),
        no_cluster: bool = False,
    ) -> None:
        self.namespace = namespace
        self.service_account = service_account
        self.image_pull_secrets = tuple(image_pull_secrets)
        self.no_cluster = no_cluster
        self._lock = threading.Lock()
        self._chain: Keychain | None = None

    def _keychain(self) -> Keychain:
        # Blobs move on a thread pool: the first lookups may race, the secrets are read once.
        with self._lock:
            if self._chain is None:
                from containerregistry.kubernetes import k8schain

                self._chain = k8schain(
                    namespace=self.namespace,
                    service_account=self.service_account,
                    image_pull_secrets=self.image_pull_secrets,
                    no_cluster=self.no_cluster,
                )
            return self._chain

    def resolve(self, target: Resource) -> Authenticator:
        """Return the first credentials the k8schain finds for ``target`` (else anonymous)."""
        return self._keychain().resolve(target)

    def __repr__(self) -> str:
        return (
            f"KcraneKeychain(namespace={self.namespace!r}, "
            f"service_account={self.service_account!r}, "
            f"image_pull_secrets={list(self.image_pull_secrets)!r}, "
            f"no_cluster={self.no_cluster!r})"
        )
