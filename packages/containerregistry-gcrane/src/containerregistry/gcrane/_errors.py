"""Errors of gcrane's Python API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry.errors import ContainerRegistryError

if TYPE_CHECKING:
    from containerregistry.gcrane._copy import CopyReport


class GcraneError(ContainerRegistryError):
    """A gcrane operation failed."""


class RepositoryCopyError(GcraneError):
    """Some repositories or images of a recursive copy failed; the others were copied.

    ``report`` says what was copied and what failed (each failure with its error).
    """

    def __init__(self, message: str, report: CopyReport) -> None:
        super().__init__(message)
        self.report = report
