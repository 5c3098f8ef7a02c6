"""The keyword-only options every function of the package takes, and their defaults."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from containerregistry.authn import ANONYMOUS, Authenticator, Keychain, default_keychain
from containerregistry.lazy import record
from containerregistry.remote._errors import OptionsError
from containerregistry.remote._progress import ProgressCallback
from containerregistry.transport import Retry
from containerregistry.v1 import Platform

if TYPE_CHECKING:
    from collections.abc import Sequence

    from containerregistry import name
    from containerregistry.transport import RegistrySession

#: The platform picked from an index when none is asked for (crane's default).
DEFAULT_PLATFORM = Platform(os="linux", architecture="amd64")
#: Blobs moved at once: enough to fill a fast link, few enough to be polite (ggcr's 4).
DEFAULT_JOBS = 4
#: Tags or repositories asked for per page (ggcr's default page size).
DEFAULT_PAGE_SIZE = 1000


class OptionArgs(TypedDict, total=False):
    """The keyword-only options; every key is optional.

    - ``keychain``: finds credentials per registry (default: the docker/podman keychain).
    - ``authenticator``: credentials to use everywhere instead (conflicts with ``keychain``).
    - ``platform``: the child picked from an index by ``image()`` (default linux/amd64).
    - ``jobs``: blobs moved at once on a thread pool (default 4; must be > 0).
    - ``user_agent``: a product token such as ``crane/0.1.0`` put before ours (default none).
    - ``insecure``: allow plain http and skip TLS verification (default False). Also
      allows foreign-layer URLs on private or loopback addresses.
    - ``ca_bundle``: a PEM file of CAs to trust instead of the system's (default None).
    - ``client_cert``: PEM certificate and key (or a pair of paths) for mTLS (default None).
    - ``progress``: called with an :class:`~containerregistry.v1.Update` as bytes move
      (default None). Calls are serialized; keep the callback quick.
    - ``chunk_size``: upload blobs in PATCHes of this many bytes (default None: one
      streamed PATCH per blob, as crane). Either way a broken upload resumes from the
      offset the registry reports.
    - ``retry``: the retry policy of requests and of whole uploads (default ``Retry()``).
    - ``page_size``: entries per page when listing (default 1000; 0 omits ``n``).
    - ``nondistributable``: also push foreign/restricted layers (default False).
    - ``referrers_tag_fallback``: use and maintain the ``sha256-<hex>`` tag when the
      registry has no referrers API (default True).
    """

    keychain: Keychain
    authenticator: Authenticator
    platform: Platform | str
    jobs: int
    user_agent: str
    insecure: bool
    ca_bundle: str
    client_cert: str | tuple[str, str]
    progress: ProgressCallback
    chunk_size: int
    retry: Retry
    page_size: int
    nondistributable: bool
    referrers_tag_fallback: bool


@record(kw_only=True)
class Options:
    """Validated options (see :class:`OptionArgs` for what each one means)."""

    keychain: Keychain | None = None
    authenticator: Authenticator | None = None
    platform: Platform = DEFAULT_PLATFORM
    jobs: int = DEFAULT_JOBS
    user_agent: str | None = None
    insecure: bool = False
    ca_bundle: str | None = None
    client_cert: str | tuple[str, str] | None = None
    progress: ProgressCallback | None = None
    chunk_size: int | None = None
    retry: Retry = dataclasses.field(default_factory=Retry)
    page_size: int = DEFAULT_PAGE_SIZE
    nondistributable: bool = False
    referrers_tag_fallback: bool = True
    sessions: SessionCache = dataclasses.field(
        default_factory=lambda: SessionCache(), compare=False, repr=False
    )

    @classmethod
    def make(cls, args: OptionArgs) -> Options:
        """Validate ``args`` and fill in the defaults; raise :class:`OptionsError`."""
        values = dict(args)
        unknown = set(values) - set(OptionArgs.__annotations__)
        if unknown:
            raise OptionsError(
                f"unknown option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(OptionArgs.__annotations__))}"
            )
        if "keychain" in values and "authenticator" in values:
            raise OptionsError("give either keychain or authenticator, not both")
        jobs = values.get("jobs", DEFAULT_JOBS)
        if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
            raise OptionsError(f"jobs must be a positive integer, got {jobs!r}")
        chunk = values.get("chunk_size")
        if chunk is not None and (isinstance(chunk, bool) or not isinstance(chunk, int)):
            raise OptionsError(f"chunk_size must be an integer number of bytes, got {chunk!r}")
        if chunk is not None and chunk < 1:
            raise OptionsError(f"chunk_size must be at least 1 byte, got {chunk}")
        page = values.get("page_size", DEFAULT_PAGE_SIZE)
        if isinstance(page, bool) or not isinstance(page, int) or page < 0:
            raise OptionsError(f"page_size must be an integer >= 0, got {page!r}")
        if values.get("insecure") and values.get("ca_bundle"):
            raise OptionsError("insecure skips TLS verification, so ca_bundle would be ignored")
        platform = values.get("platform", DEFAULT_PLATFORM)
        if isinstance(platform, str):
            values["platform"] = Platform.parse(platform)
        return cls(**values)  # type: ignore[arg-type]

    def authenticator_for(self, target: object) -> Authenticator:
        """Return the credentials for a registry or repository."""
        if self.authenticator is not None:
            return self.authenticator
        keychain = self.keychain if self.keychain is not None else default_keychain()
        found: Authenticator = keychain.resolve(target)  # type: ignore[arg-type]
        return found if found is not None else ANONYMOUS

    def session(
        self, target: name.Repository | name.Registry, scopes: Sequence[str]
    ) -> RegistrySession:
        """The pinged, authenticated session for ``target``'s registry, asking ``scopes``.

        Made once per registry and scopes and shared by every call with these options.
        """
        from containerregistry import name, transport

        registry = target if isinstance(target, name.Registry) else target.registry
        key = (registry.registry_str, registry.insecure, tuple(scopes))

        def build() -> RegistrySession:
            return transport.new(
                registry,
                self.authenticator_for(target),
                scopes=scopes,
                insecure=self.insecure,
                user_agent_product=self.user_agent,
                ca_bundle=self.ca_bundle,
                client_cert=self.client_cert,
                retry=self.retry,
                # Each job may hold a connection for a blob while manifests move beside it.
                pool_size=self.jobs + 2,
            )

        return self.sessions.get(key, build)

    def update(self, **changes: object) -> Options:
        """Return a copy with ``changes`` applied (sessions are shared)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


class SessionCache:
    """Sessions already pinged and authenticated, shared by every call that uses one Options.

    Keyed by registry and the scopes asked for up front; a session asked for with
    fewer scopes is reused when the bearer layer can escalate on a 401.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, bool, tuple[str, ...]], RegistrySession] = {}

    def get(
        self, key: tuple[str, bool, tuple[str, ...]], build: Callable[[], RegistrySession]
    ) -> RegistrySession:
        """Return the session for ``key``, building it with ``build`` the first time."""
        with self._lock:
            found = self._sessions.get(key)
        if found is not None:
            return found
        session = build()
        with self._lock:
            return self._sessions.setdefault(key, session)
