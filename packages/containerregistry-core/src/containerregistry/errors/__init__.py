"""The root of every exception this project raises.

Every package derives its errors from :class:`ContainerRegistryError`, so a caller
can catch one type. Messages say what failed, on what, and what to do about it,
and never contain a credential or token.
"""

from containerregistry.errors._errors import ContainerRegistryError

__all__ = ["ContainerRegistryError"]
