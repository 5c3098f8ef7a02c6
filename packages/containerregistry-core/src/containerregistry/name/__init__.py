"""Image references: registries, repositories, tags and digests, as crane reads them.

``parse_reference("ubuntu")`` gives ``index.docker.io/library/ubuntu:latest``; the
types are immutable and hashable, know their URL scheme and token scopes, and
follow go-containerregistry's ``pkg/name`` rules, with every bad name reported as a
:class:`BadNameError` that names the input and the rule it broke.
"""

from containerregistry.name._digest import Digest, new_digest
from containerregistry.name._errors import BadNameError
from containerregistry.name._reference import Reference, parse_reference
from containerregistry.name._registry import DEFAULT_REGISTRY, Registry, new_registry
from containerregistry.name._repository import Repository, new_repository
from containerregistry.name._tag import DEFAULT_TAG, Tag, new_tag

__all__ = [
    "DEFAULT_REGISTRY",
    "DEFAULT_TAG",
    "BadNameError",
    "Digest",
    "Reference",
    "Registry",
    "Repository",
    "Tag",
    "new_digest",
    "new_registry",
    "new_repository",
    "new_tag",
    "parse_reference",
]
