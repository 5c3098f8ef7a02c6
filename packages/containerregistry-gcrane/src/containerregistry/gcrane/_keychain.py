"""gcrane's keychain: Google's credentials first, then docker's and podman's files."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.authn import Authenticator, Keychain, Resource


class GcraneKeychain:
    """Google's keychain, then the docker/podman keychain (ggcr's ``gcrane.Keychain``).

    The two keychains are made on first use, so building the CLI imports neither
    google-auth nor requests.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._chain: Keychain | None = None

    def _keychain(self) -> Keychain:
        with self._lock:
            if self._chain is None:
                from containerregistry import authn, google

                self._chain = authn.multi_keychain(google.KEYCHAIN, authn.default_keychain())
            return self._chain

    def resolve(self, target: Resource) -> Authenticator:
        """Return Google's credentials for a Google host, else docker's, else anonymous."""
        return self._keychain().resolve(target)


#: The keychain every gcrane command uses.
KEYCHAIN = GcraneKeychain()
