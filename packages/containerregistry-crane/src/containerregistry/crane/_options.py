"""crane's options (ggcr's ``crane.Option``s) as keyword-only arguments."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypedDict

from containerregistry import name
from containerregistry.crane._errors import CraneOptionsError
from containerregistry.lazy import record
from containerregistry.v1 import Platform

if TYPE_CHECKING:
    from containerregistry.authn import Authenticator, Keychain
    from containerregistry.transport import Retry
    from containerregistry.v1 import ProgressCallback

#: Blobs moved at once (ggcr's ``WithJobs`` default; 0 or less also means this).
DEFAULT_JOBS = 4


class OptionArgs(TypedDict, total=False):
    """The keyword-only options of every crane function; every key is optional.

    - ``platform``: the platform picked out of an index, as a :class:`Platform` or
      ``os/arch[/variant][:osversion]``; ``None`` or ``"all"`` (default) means every
      platform: copies keep whole indexes and reads of one image fall back to
      linux/amd64, as ``crane.WithPlatform``.
    - ``keychain``: finds credentials per registry (default: the docker/podman
      keychain, ``WithAuthFromKeychain``).
    - ``authenticator``: credentials used everywhere (``WithAuth``; conflicts with
      ``keychain``).
    - ``insecure``: allow plain http and skip TLS verification (default False,
      ``crane.Insecure``).
    - ``jobs``: blobs moved at once (default 4; 0 also means 4, as ``WithJobs(0)``).
    - ``user_agent``: a product token put before ours (default none).
    - ``nondistributable``: also push foreign layers (default False).
    - ``no_clobber``: refuse to overwrite an existing destination tag (default False,
      ``WithNoClobber``).
    - ``progress``: receives :class:`~containerregistry.v1.Update`s as bytes move
      (default None).
    - ``retry``: how each request is retried, a
      :class:`~containerregistry.transport.Retry` (default ``Retry()``: 5 tries,
      full-jitter backoff up to 1, 2, 4, 8 s, ``Retry-After`` honoured up to 60 s).
    """

    platform: Platform | str | None
    keychain: Keychain
    authenticator: Authenticator
    insecure: bool
    jobs: int
    user_agent: str
    nondistributable: bool
    no_clobber: bool
    progress: ProgressCallback
    retry: Retry


@record(kw_only=True)
class Options:
    """Validated crane options (see :class:`OptionArgs` for each one's meaning)."""

    platform: Platform | None = None
    keychain: Keychain | None = None
    authenticator: Authenticator | None = None
    insecure: bool = False
    jobs: int = DEFAULT_JOBS
    user_agent: str | None = None
    nondistributable: bool = False
    no_clobber: bool = False
    progress: ProgressCallback | None = None
    retry: Retry | None = None

    @classmethod
    def make(cls, args: OptionArgs | None = None, /, **more: Any) -> Options:
        """Validate ``args`` (and ``more``) and fill in the defaults.

        Raises :class:`CraneOptionsError` for unknown or conflicting options.
        """
        values: dict[str, Any] = {**(args or {}), **more}
        unknown = set(values) - set(OptionArgs.__annotations__)
        if unknown:
            raise CraneOptionsError(
                f"unknown crane option(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(OptionArgs.__annotations__))}"
            )
        if values.get("keychain") is not None and values.get("authenticator") is not None:
            raise CraneOptionsError("give either keychain or authenticator, not both")
        jobs = values.get("jobs", DEFAULT_JOBS)
        if isinstance(jobs, bool) or not isinstance(jobs, int):
            raise CraneOptionsError(f"jobs must be an integer, got {jobs!r}")
        values["jobs"] = jobs if jobs > 0 else DEFAULT_JOBS
        values["platform"] = parse_platform(values.get("platform"))
        return cls(**values)

    def reference(self, text: str) -> name.Reference:
        """Parse an image reference with these options (``insecure`` allows http).

        skopeo's ``docker://`` prefix is accepted and dropped.
        """
        return name.parse_reference(registry_text(text), insecure=self.insecure)

    def repository(self, text: str) -> name.Repository:
        """Parse a repository name with these options (``docker://`` accepted)."""
        return name.new_repository(registry_text(text), insecure=self.insecure)

    def registry(self, text: str) -> name.Registry:
        """Parse a registry name with these options."""
        return name.new_registry(text, insecure=self.insecure)

    def args(self) -> OptionArgs:
        """Return these options as keyword options again (what each function takes)."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None and value != field.default:
                out[field.name] = value
        return out  # type: ignore[return-value]

    def remote(self, *, platform: bool = True) -> dict[str, Any]:
        """Return keyword options for :mod:`containerregistry.remote`.

        Without a platform (``all``) remote picks linux/amd64 when one image is needed,
        as crane does; ``platform=False`` leaves the platform out entirely.
        """
        args: dict[str, Any] = {"insecure": self.insecure, "jobs": self.jobs}
        if self.keychain is not None:
            args["keychain"] = self.keychain
        if self.authenticator is not None:
            args["authenticator"] = self.authenticator
        if self.user_agent:
            args["user_agent"] = self.user_agent
        if self.nondistributable:
            args["nondistributable"] = True
        if self.progress is not None:
            args["progress"] = self.progress
        if self.retry is not None:
            args["retry"] = self.retry
        if platform and self.platform is not None:
            args["platform"] = self.platform
        return args


def registry_text(text: str) -> str:
    """Return ``text`` without skopeo's ``docker://`` (a plain reference is unchanged).

    Here rather than in ``_transports`` (which re-exports it) so that reading a plain
    reference does not load the transports.
    """
    prefix = "docker://"
    return text[len(prefix) :] if text.startswith(prefix) else text


def parse_platform(value: Platform | str | None) -> Platform | None:
    """Return the platform ``value`` names; ``None``, ``""`` and ``"all"`` mean every one."""
    if value is None or isinstance(value, Platform):
        return value
    if not isinstance(value, str):
        raise CraneOptionsError(f"platform must be a Platform or a string, got {value!r}")
    if value in ("", "all"):
        return None
    try:
        return Platform.parse(value)
    except (ValueError, TypeError) as exc:
        raise CraneOptionsError(
            f"invalid platform {value!r}: {exc}; want os/arch[/variant][:osversion] or all"
        ) from exc
