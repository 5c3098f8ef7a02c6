"""The root exception type."""

from __future__ import annotations


class ContainerRegistryError(Exception):
    """Base class of every error raised by the containerregistry distributions."""
