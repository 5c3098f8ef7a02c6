"""``Tag``: a repository plus a tag such as ``latest``."""

from __future__ import annotations

import dataclasses

from containerregistry.lazy import record
from containerregistry.name._check import tag_problem
from containerregistry.name._errors import BadNameError
from containerregistry.name._in_repository import InRepository
from containerregistry.name._registry import DEFAULT_REGISTRY
from containerregistry.name._repository import Repository, new_repository

DEFAULT_TAG = "latest"


@record
class Tag(InRepository):
    """A tagged reference such as ``index.docker.io/library/ubuntu:latest``.

    Build one with :func:`new_tag` or :func:`parse_reference`. ``str(tag)`` is the
    text it was parsed from; :attr:`name` is the fully qualified form. Two tags are
    equal when their fully qualified names and ``insecure`` flags are, whatever
    text they came from.

    Attributes:
        repository: the :class:`Repository` (also available as :attr:`context`).
        tag_str: the tag, e.g. ``latest``.
        original: the input text (defaults to :attr:`name`).
    """

    repository: Repository
    tag_str: str
    original: str = dataclasses.field(default="", compare=False)

    def __post_init__(self) -> None:
        problem = tag_problem(self.tag_str)
        if problem:
            raise BadNameError("tag", self.tag_str, problem)
        if not self.original:
            object.__setattr__(self, "original", self.name)

    @property
    def identifier(self) -> str:
        """The tag: what goes after ``/manifests/`` in a registry URL."""
        return self.tag_str

    @property
    def name(self) -> str:
        """The fully qualified form, e.g. ``index.docker.io/library/ubuntu:latest``."""
        return f"{self.repository.name}:{self.tag_str}"

    def __repr__(self) -> str:
        flag = ", insecure=True" if self.insecure else ""
        return f"Tag({self.name!r}{flag})"


def new_tag(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
) -> Tag:
    """Parse a tagged reference such as ``ubuntu``, ``ubuntu:22.04`` or ``gcr.io/p/i:v1``.

    Args:
        name: ``[registry/]path[:tag]``. A ``:`` followed by text without ``/`` is a
            tag; ``localhost:5000/x`` keeps its port.
        strict: require an explicit registry, ``library/`` on Docker Hub and a tag
            (default ``False``).
        insecure: allow plain http for the registry (default ``False``).
        default_registry: the registry when ``name`` has none (default
            ``index.docker.io``).
        default_tag: the tag when ``name`` has none (default ``latest``).

    Raises:
        BadNameError: the name breaks a rule; the message says which.
    """
    base, tag = name, ""
    head, colon, tail = name.rpartition(":")
    if colon and "/" not in tail:
        # A last ':' part without '/' is a tag (a port is followed by a path).
        if not tail:
            raise BadNameError("tag", name, "a tag name must follow the colon")
        base, tag = head, tail
    if tag or strict:
        if strict and not tag:
            raise BadNameError(
                "tag", name, "strict validation requires the tag to be explicitly defined"
            )
        problem = tag_problem(tag)
        if problem:
            raise BadNameError("tag", name, problem)
    try:
        repository = new_repository(
            base, strict=strict, insecure=insecure, default_registry=default_registry
        )
        return Tag(repository, tag or default_tag, name)
    except BadNameError as exc:
        raise BadNameError("tag", name, exc.reason) from exc
