"""``Repository``: a registry plus a repository path such as ``library/ubuntu``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry.lazy import record
from containerregistry.name._check import repository_problem, stored_repository_problem
from containerregistry.name._errors import BadNameError
from containerregistry.name._registry import DEFAULT_REGISTRY, Registry, new_registry

if TYPE_CHECKING:  # the tag and digest modules import this one
    from containerregistry.name._digest import Digest
    from containerregistry.name._tag import Tag

#: Docker Hub puts one-part names ("ubuntu") under this namespace.
DEFAULT_NAMESPACE = "library"


@record
class Repository:
    """A repository such as ``index.docker.io/library/ubuntu``.

    Build one with :func:`new_repository` (which applies the defaults). Two
    repositories are equal when their fully qualified names and ``insecure`` flags
    are; ``str(repo)`` is the fully qualified name.

    Attributes:
        registry: the :class:`Registry` the repository lives in.
        repository_str: the path inside the registry, e.g. ``library/ubuntu``.
    """

    registry: Registry
    repository_str: str

    def __post_init__(self) -> None:
        implied = ""
        if self.registry.registry_str == DEFAULT_REGISTRY:
            implied = f"{DEFAULT_NAMESPACE}/"
        problem = stored_repository_problem(self.repository_str, implied)
        if problem:
            raise BadNameError("repository", self.repository_str, problem)

    @property
    def registry_str(self) -> str:
        """The registry name, e.g. ``index.docker.io``."""
        return self.registry.registry_str

    @property
    def insecure(self) -> bool:
        """Whether plain http is allowed for the registry."""
        return self.registry.insecure

    @property
    def scheme(self) -> str:
        """``http`` or ``https``, as :attr:`Registry.scheme`."""
        return self.registry.scheme

    @property
    def name(self) -> str:
        """The fully qualified name, e.g. ``index.docker.io/library/ubuntu``."""
        return f"{self.registry.registry_str}/{self.repository_str}"

    def scope(self, action: str) -> str:
        """The token scope for ``action`` here: ``repository:<path>:<action>``."""
        return f"repository:{self.repository_str}:{action}"

    def tag(self, identifier: str) -> Tag:
        """Return the tag ``identifier`` in this repository (validated, unlike ggcr)."""
        from containerregistry.name._tag import Tag

        return Tag(self, identifier)

    def digest(self, identifier: str) -> Digest:
        """Return the digest ``identifier`` (``sha256:...``) in this repository."""
        from containerregistry.name._digest import Digest

        return Digest(self, identifier)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        flag = ", insecure=True" if self.registry.insecure else ""
        return f"Repository({self.name!r}{flag})"


def _splits_off_registry(first: str) -> bool:
    # Docker's rule: the first path part names a registry when it looks like a
    # host (has '.' or ':') or is exactly "localhost"; otherwise it is a path.
    return "." in first or ":" in first or first == "localhost"


def new_repository(
    name: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
) -> Repository:
    """Parse a repository name such as ``ubuntu`` or ``gcr.io/project/image``.

    Args:
        name: ``[registry/]path``; the registry part is recognised by a ``.`` or
            ``:`` in it, or by being ``localhost``.
        strict: require an explicit registry and, on Docker Hub, the ``library/``
            namespace (default ``False``).
        insecure: allow plain http for the registry (default ``False``).
        default_registry: the registry when ``name`` has none (default
            ``index.docker.io``).

    A one-part path on Docker Hub (``index.docker.io``) gets ``library/`` in front;
    on any other registry, including a custom ``default_registry``, it is kept as is.
    The path as written must have 2 to 255 characters out of ``[a-z0-9_-./]``
    (ggcr v0.21.9's rule, checked before ``library/`` is added).

    Raises:
        BadNameError: the name breaks a rule; the message says which.
    """
    if not name:
        raise BadNameError("repository", name, "a repository name must be specified")
    registry_part = ""
    path = name
    first, slash, rest = name.partition("/")
    if slash and _splits_off_registry(first):
        registry_part, path = first, rest
    problem = repository_problem(path)
    if problem:
        raise BadNameError("repository", name, problem)
    try:
        registry = new_registry(
            registry_part, strict=strict, insecure=insecure, default_registry=default_registry
        )
    except BadNameError as exc:
        raise BadNameError("repository", name, exc.reason) from exc
    if "/" not in path and registry.registry_str == DEFAULT_REGISTRY:
        if strict:
            raise BadNameError(
                "repository",
                name,
                f"strict validation requires the full repository path "
                f"(missing '{DEFAULT_NAMESPACE}/')",
            )
        path = f"{DEFAULT_NAMESPACE}/{path}"
    return Repository(registry, path)
