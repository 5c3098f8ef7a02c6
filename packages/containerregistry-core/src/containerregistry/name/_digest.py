"""``Digest``: a repository plus a content digest such as ``sha256:...``."""

from __future__ import annotations

import dataclasses

from containerregistry.lazy import record
from containerregistry.name._check import digest_problem
from containerregistry.name._errors import BadNameError
from containerregistry.name._in_repository import InRepository
from containerregistry.name._registry import DEFAULT_REGISTRY
from containerregistry.name._repository import Repository, new_repository
from containerregistry.name._tag import DEFAULT_TAG, new_tag


@record
class Digest(InRepository):
    """A reference by digest such as ``index.docker.io/library/ubuntu@sha256:...``.

    Build one with :func:`new_digest` or :func:`parse_reference`. ``str(digest)`` is
    the text it was parsed from (a tag in it, ``repo:tag@sha256:...``, is kept there
    but plays no part otherwise); :attr:`name` is the fully qualified form. Two
    digests are equal when their fully qualified names and ``insecure`` flags are.

    Attributes:
        repository: the :class:`Repository` (also available as :attr:`context`).
        digest_str: the digest, ``sha256:`` and 64 lowercase hex characters.
        original: the input text (defaults to :attr:`name`).
    """

    repository: Repository
    digest_str: str
    original: str = dataclasses.field(default="", compare=False)

    def __post_init__(self) -> None:
        problem = digest_problem(self.digest_str)
        if problem:
            raise BadNameError("digest", self.digest_str, problem)
        if not self.original:
            object.__setattr__(self, "original", self.name)

    @property
    def identifier(self) -> str:
        """The digest: what goes after ``/manifests/`` in a registry URL."""
        return self.digest_str

    @property
    def name(self) -> str:
        """The fully qualified form, e.g. ``index.docker.io/library/ubuntu@sha256:...``."""
        return f"{self.repository.name}@{self.digest_str}"

    def __repr__(self) -> str:
        flag = ", insecure=True" if self.insecure else ""
        return f"Digest({self.name!r}{flag})"


def new_digest(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
) -> Digest:
    """Parse a reference by digest such as ``ubuntu@sha256:<64 hex>``.

    Args:
        name: ``[registry/]path[:tag]@sha256:<hex>``; a tag before the ``@`` is
            accepted and dropped, as in ggcr.
        strict: require an explicit registry and ``library/`` on Docker Hub
            (default ``False``).
        insecure: allow plain http for the registry (default ``False``).
        default_registry: the registry when ``name`` has none (default
            ``index.docker.io``).
        default_tag: accepted for symmetry with :func:`new_tag`; a digest
            reference never uses it (default ``latest``).

    Raises:
        BadNameError: the name breaks a rule; the message says which.
    """
    parts = name.split("@")
    if len(parts) != 2:
        raise BadNameError(
            "digest",
            name,
            "a digest reference must contain exactly one '@' "
            "(e.g. registry/repository@sha256:<64 hex characters>)",
        )
    base, digest = parts
    problem = digest_problem(digest)
    if problem:
        raise BadNameError("digest", name, problem)
    try:
        # ggcr first reads the base as a tag (so "repo:tag" loses its tag), and
        # only if that fails as a plain repository, which then reports the error.
        repository = new_tag(
            base,
            strict=strict,
            insecure=insecure,
            default_registry=default_registry,
            default_tag=default_tag,
        ).context
    except BadNameError:
        try:
            repository = new_repository(
                base, strict=strict, insecure=insecure, default_registry=default_registry
            )
        except BadNameError as exc:
            raise BadNameError("digest", name, exc.reason) from exc
    return Digest(repository, digest, name)
