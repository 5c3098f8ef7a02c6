"""The one error type of the name package."""

from __future__ import annotations

from containerregistry.errors import ContainerRegistryError


def quote(text: str) -> str:
    """Return ``text`` in double quotes on one line, escaping what would break the line."""
    pieces = []
    for char in text:
        if char in '"\\':
            pieces.append("\\" + char)
        elif char.isprintable():
            pieces.append(char)
        else:
            pieces.append(char.encode("unicode_escape").decode("ascii"))
    return '"' + "".join(pieces) + '"'


class BadNameError(ContainerRegistryError, ValueError):
    """A registry, repository, tag, digest or reference string is not valid.

    The message is one line: what could not be parsed, the input, and the rule it
    broke, e.g. ``could not parse reference "Foo:bar": repository can only contain
    the characters abcdefghijklmnopqrstuvwxyz0123456789_-./``.

    Attributes:
        text: the input that was rejected.
        reason: the rule it broke, without the input (reused when a caller wraps
            the error, as :func:`~containerregistry.name.parse_reference` does).
    """

    def __init__(self, what: str, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"could not parse {what} {quote(text)}: {reason}")
