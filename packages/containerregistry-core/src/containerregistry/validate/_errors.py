"""The error raised when an image, index or layer fails validation."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


class ValidationError(ContainerRegistryError):
    """One or more checks failed; ``problems`` lists each, the message joins them.

    Attributes:
        problems: one sentence per failed check, naming what was compared.
    """

    def __init__(self, subject: str, problems: list[str]) -> None:
        self.subject = subject
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{subject} is invalid ({count} {noun}):\n\n" + "\n\n".join(problems))
