"""Parsing ``WWW-Authenticate`` challenges (RFC 7235)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from containerregistry.lazy import record

#: Schemes the transport can answer, in the order they are preferred when a
#: registry offers several (e.g. ``Negotiate`` and ``Basic``).
SUPPORTED_SCHEMES = ("bearer", "basic")

_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)


@record
class Challenge:
    """One authentication challenge: a lower-cased scheme and its parameters.

    Parameter names are lower-cased; values are unquoted. For bearer challenges the
    interesting ones are ``realm``, ``service``, ``scope`` and ``error``.
    """

    scheme: str
    params: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def realm(self) -> str:
        """The ``realm`` parameter (the token endpoint for bearer), or ``""``."""
        return self.params.get("realm", "")

    @property
    def service(self) -> str:
        """The ``service`` parameter, or ``""``."""
        return self.params.get("service", "")

    @property
    def scopes(self) -> tuple[str, ...]:
        """The space-separated ``scope`` parameter, split."""
        return tuple(self.params.get("scope", "").split())


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def token(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] in _TOKEN_CHARS:
            self.pos += 1
        return self.text[start : self.pos]

    def quoted(self) -> str:
        self.pos += 1  # the opening quote
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\" and self.pos < len(self.text):
                out.append(self.text[self.pos])
                self.pos += 1
            elif char == '"':
                break
            else:
                out.append(char)
        return "".join(out)

    def skip_to_comma(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] != ",":
            if self.text[self.pos] == '"':
                self.quoted()
            else:
                self.pos += 1


def parse_challenges(values: Iterable[str]) -> list[Challenge]:
    """Parse every challenge from one or more ``WWW-Authenticate`` header values.

    A value may hold several challenges separated by commas
    (``Basic realm="x", Bearer realm="y",scope="a b"``); quoted strings may contain
    commas and backslash escapes. Malformed parts are skipped rather than fatal,
    since a registry's odd header must not hide a challenge we can answer.
    """
    out: list[Challenge] = []
    for value in values:
        scanner = _Scanner(value)
        current: Challenge | None = None
        while scanner.pos < len(value):
            scanner.skip_space()
            if scanner.peek() == ",":
                scanner.pos += 1
                continue
            name = scanner.token()
            if not name:
                scanner.skip_to_comma()
                continue
            scanner.skip_space()
            if scanner.peek() == "=" and current is not None:
                scanner.pos += 1
                scanner.skip_space()
                if scanner.peek() == '"':
                    param = scanner.quoted()
                else:
                    param = scanner.token()
                    # token68 padding such as "abc==" is not a parameter.
                    while scanner.peek() == "=":
                        scanner.pos += 1
                current.params[name.lower()] = param
                scanner.skip_space()
                scanner.skip_to_comma()
            else:
                current = Challenge(scheme=name.lower())
                out.append(current)
                # A parameter may follow on the same item: "Bearer realm=...".
                following = scanner.token()
                if following:
                    scanner.skip_space()
                    if scanner.peek() == "=":
                        scanner.pos += 1
                        scanner.skip_space()
                        if scanner.peek() == '"':
                            current.params[following.lower()] = scanner.quoted()
                        else:
                            param = scanner.token()
                            if scanner.peek() == "=":  # token68 (e.g. base64 with padding)
                                while scanner.peek() == "=":
                                    scanner.pos += 1
                            else:
                                current.params[following.lower()] = param
                scanner.skip_to_comma()
    return out


def pick(challenges: Iterable[Challenge]) -> Challenge | None:
    """Return the first challenge whose scheme we support, or None."""
    listed = list(challenges)
    for challenge in listed:
        if challenge.scheme in SUPPORTED_SCHEMES:
            return challenge
    return None
