"""The Google keychain: credentials for GCR and Artifact Registry, anonymous elsewhere."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Mapping, Sequence

from containerregistry.authn import ANONYMOUS, Authenticator, Resource, resource_keys
from containerregistry.google._auth import (
    CLOUD_PLATFORM_SCOPE,
    application_default_authenticator,
    gcloud_authenticator,
)
from containerregistry.google._errors import GoogleAuthError

_log = logging.getLogger("containerregistry.google")
_log.addHandler(logging.NullHandler())

#: Extra hosts (comma-separated ``host[:port]``) the keychain and ``list`` treat as
#: Google's. Meant for tests that stand a registry on loopback in for gcr.io.
HOSTS_ENV = "CONTAINERREGISTRY_GOOGLE_HOSTS"

#: Domains whose subdomains are Google registries: regional GCR (``us.gcr.io``),
#: Artifact Registry (``europe-docker.pkg.dev``) and internal mirrors.
_GOOGLE_SUFFIXES = (".gcr.io", ".pkg.dev", ".google.com")


def _bare(host: str) -> str:
    """``host`` lower-cased, without a port (``[::1]:5000`` gives ``[::1]``)."""
    host = host.lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def env_hosts(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """Return the hosts named in :data:`HOSTS_ENV` (lower-cased)."""
    value = (os.environ if env is None else env).get(HOSTS_ENV, "")
    return frozenset(h.strip().lower() for h in value.split(",") if h.strip())


def is_google_host(
    host: str, *, extra: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> bool:
    """Whether ``host`` (``registry[:port]``) is ``gcr.io``, ``*.gcr.io``, ``*.pkg.dev``
    or ``*.google.com``, one of ``extra``, or one named in :data:`HOSTS_ENV`.

    An entry of ``extra`` matches the host with or without its port.
    """
    bare = _bare(host)
    if bare == "gcr.io" or bare.endswith(_GOOGLE_SUFFIXES):
        return True
    others = {h.lower() for h in extra} | env_hosts(env)
    return host.lower() in others or bare in others


class GoogleKeychain:
    """Credentials for Google registries, found once and refreshed as they expire.

    For a registry that :func:`is_google_host` accepts, the first of these wins:

    1. application default credentials through google-auth
       (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's ADC file, the metadata server);
    2. ``gcloud config config-helper``, if ``gcloud`` is found;
    3. anonymous.

    Every other registry gets anonymous, so the keychain can go first in
    :func:`containerregistry.authn.multi_keychain`. The answer is found on the first
    :meth:`resolve` for a Google host and reused afterwards; its token is refreshed
    shortly before it expires.

    Keyword-only options:

    - ``hosts``: more ``host[:port]`` names to treat as Google's (default none);
      :data:`HOSTS_ENV` adds more, for tests.
    - ``application_default``: try application default credentials (default True).
    - ``gcloud``: the gcloud executable, or None to skip it (default ``gcloud``).
    - ``scopes``: OAuth2 scopes of the tokens (default cloud-platform).
    - ``env``: the environment :data:`HOSTS_ENV` is read from (default ``os.environ``).
    """

    def __init__(
        self,
        *,
        hosts: Iterable[str] = (),
        application_default: bool = True,
        gcloud: str | None = "gcloud",
        scopes: Sequence[str] = (CLOUD_PLATFORM_SCOPE,),
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.hosts = frozenset(h.lower() for h in hosts)
        self._application_default = application_default
        self._gcloud = gcloud
        self._scopes = tuple(scopes)
        self._env = env
        self._lock = threading.Lock()
        self._found: Authenticator | None = None

    def matches(self, host: str) -> bool:
        """Whether this keychain answers for registry ``host``."""
        return is_google_host(host, extra=self.hosts, env=self._env)

    def resolve(self, target: Resource) -> Authenticator:
        """Return Google credentials for a Google registry, :data:`ANONYMOUS` otherwise."""
        host = resource_keys(target)[-1]
        if not self.matches(host):
            return ANONYMOUS
        with self._lock:
            if self._found is None:
                self._found = self._find()
            return self._found

    def _find(self) -> Authenticator:
        if self._application_default:
            try:
                return application_default_authenticator(scopes=self._scopes)
            except GoogleAuthError as exc:
                _log.debug("no application default credentials: %s", exc)
        if self._gcloud is not None:
            try:
                found = gcloud_authenticator(gcloud=self._gcloud)
            except GoogleAuthError as exc:
                _log.debug("no credentials from gcloud: %s", exc)
            else:
                if found is not ANONYMOUS:
                    return found
        _log.debug("no Google credentials found; using anonymous access")
        return ANONYMOUS

    def __repr__(self) -> str:
        return f"GoogleKeychain(hosts={sorted(self.hosts)!r})"


#: The process-wide Google keychain (ggcr's ``google.Keychain``): credentials are
#: looked up once per process.
KEYCHAIN = GoogleKeychain()
