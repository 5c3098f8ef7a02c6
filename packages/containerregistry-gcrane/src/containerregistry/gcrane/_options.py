"""gcrane's keyword-only options, shared by copy, ls and gc."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from containerregistry.gcrane._keychain import KEYCHAIN

if TYPE_CHECKING:
    from containerregistry.authn import Authenticator, Keychain
    from containerregistry.transport import Retry
    from containerregistry.v1 import Platform


class GcraneArgs(TypedDict, total=False):
    """The options of gcrane's functions; every key is optional.

    - ``keychain``: finds credentials (default :data:`KEYCHAIN`: Google's, then
      docker's and podman's files).
    - ``authenticator``: credentials for every registry (conflicts with ``keychain``).
    - ``insecure``: allow plain http and skip TLS verification (default False).
    - ``jobs``: repositories listed and images copied or deleted at once (default 4).
    - ``user_agent``: a product token put before ours (default none).
    - ``platform``: copy only this platform's image out of an index (default: all).
    - ``retry``: how whole listings, copies and deletions are repeated on 429, 5xx
      and temporary errors (default :data:`containerregistry.google.GCR_RETRY`:
      6 s, 60 s, 600 s, as gcrane's ``GCRBackoff``).
    """

    keychain: Keychain
    authenticator: Authenticator
    insecure: bool
    jobs: int
    user_agent: str
    platform: Platform | str
    retry: Retry


#: The options passed on to crane and remote (``retry`` is gcrane's own).
_PASSED_ON = ("keychain", "authenticator", "insecure", "jobs", "user_agent", "platform")


def split(options: GcraneArgs) -> tuple[dict[str, Any], Retry | None]:
    """Return crane/remote keyword options (the keychain defaulted) and the retry policy."""
    from containerregistry.gcrane._errors import GcraneError

    unknown = set(options) - set(GcraneArgs.__annotations__)
    if unknown:
        raise GcraneError(
            f"unknown gcrane option(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(sorted(GcraneArgs.__annotations__))}"
        )
    passed: dict[str, Any] = {k: options[k] for k in _PASSED_ON if k in options}  # type: ignore[literal-required]
    if "keychain" not in passed and "authenticator" not in passed:
        passed["keychain"] = KEYCHAIN
    jobs = passed.get("jobs", 4)
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise GcraneError(f"jobs must be a positive integer, got {jobs!r}")
    passed["jobs"] = jobs
    return passed, options.get("retry")


def listing_options(passed: dict[str, Any]) -> dict[str, Any]:
    """The subset :func:`containerregistry.google.list` and ``walk`` take."""
    return {k: v for k, v in passed.items() if k != "platform"}
