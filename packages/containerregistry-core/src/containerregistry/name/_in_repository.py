"""What a tag and a digest both say about the repository they belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.name._registry import Registry
    from containerregistry.name._repository import Repository


class InRepository:
    """Properties of :class:`Tag` and :class:`Digest` that come from their repository."""

    repository: Repository
    original: str

    @property
    def context(self) -> Repository:
        """The repository this reference belongs to."""
        return self.repository

    @property
    def registry(self) -> Registry:
        """The registry of the repository."""
        return self.repository.registry

    @property
    def registry_str(self) -> str:
        """The registry name, e.g. ``index.docker.io``."""
        return self.repository.registry.registry_str

    @property
    def repository_str(self) -> str:
        """The repository path, e.g. ``library/ubuntu``."""
        return self.repository.repository_str

    @property
    def insecure(self) -> bool:
        """Whether plain http is allowed for the registry."""
        return self.repository.registry.insecure

    @property
    def scheme(self) -> str:
        """``http`` or ``https``, as :attr:`Registry.scheme`."""
        return self.repository.registry.scheme

    def scope(self, action: str) -> str:
        """The token scope for ``action`` on the repository."""
        return self.repository.scope(action)

    def __str__(self) -> str:
        return self.original
