"""Validation rules shared by the name types (the ggcr pkg/name character sets)."""

from __future__ import annotations

REPOSITORY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-./"
TAG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-.ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: A repository path as written (before any ``library/`` is added) has 2 to 255
#: characters, as in ggcr v0.21.9 (``checkRepository``): ``host/x`` is refused. ggcr
#: allows one character after v0.21.9 (#2407); crane v0.21.9 is the reference here.
REPOSITORY_MIN = 2
REPOSITORY_MAX = 255
#: A tag has 1 to 128 characters (ggcr's ``checkTag``).
TAG_MAX = 128

_REPOSITORY_SET = frozenset(REPOSITORY_CHARS)
_TAG_SET = frozenset(TAG_CHARS)
_SHA256_PREFIX = "sha256:"
_SHA256_HEX_LENGTH = 64
_LOWER_HEX = frozenset("0123456789abcdef")

# Characters Go's net/url accepts in a URL host besides letters and digits: the
# RFC 3986 unreserved marks and sub-delims, plus ':' (port), '[' ']' (IPv6
# literals) and '<' '>' '"', which Go lets through. '%' is left out on purpose:
# Go would unescape it, so the parsed host could never equal the input.
_HOST_PUNCTUATION = frozenset("-._~!$&'()*+,;=:[]<>\"")


def element_problem(
    element: str, kind: str, allowed: frozenset[str], chars: str, top: int, bottom: int = 1
) -> str:
    """Return why ``element`` breaks the length or character rule, or ``""``.

    The length is counted in code points (Go counts runes); ``bottom`` (default 1)
    and ``top`` are the inclusive bounds.
    """
    if not bottom <= len(element) <= top:
        return f"{kind} must be between {bottom} and {top} characters in length"
    if not allowed.issuperset(element):
        return f"{kind} can only contain the characters {chars}"
    return ""


def repository_problem(repository: str) -> str:
    """Return why a repository path as written is invalid, or ``""`` if it is valid.

    This is ggcr's ``checkRepository``: 2 to 255 characters out of
    :data:`REPOSITORY_CHARS`. It applies to the path the user wrote, before a
    ``library/`` is added for Docker Hub.
    """
    return element_problem(
        repository,
        "repository",
        _REPOSITORY_SET,
        REPOSITORY_CHARS,
        REPOSITORY_MAX,
        REPOSITORY_MIN,
    )


def stored_repository_problem(repository: str, implicit_namespace: str = "") -> str:
    """Return why a stored repository path is invalid, or ``""`` (a looser backstop).

    A :class:`~containerregistry.name.Repository` built directly (``Registry.repo``,
    which ggcr does not validate at all) only needs a non-empty path of allowed
    characters. ``implicit_namespace`` (e.g. ``library/``) is a prefix the parser
    added; it does not count towards the 255 characters, as in ggcr.
    """
    written = repository
    if implicit_namespace and repository.startswith(implicit_namespace):
        written = repository[len(implicit_namespace) :]
    return element_problem(written, "repository", _REPOSITORY_SET, REPOSITORY_CHARS, REPOSITORY_MAX)


def tag_problem(tag: str) -> str:
    """Return why a tag is invalid, or ``""`` if it is valid."""
    return element_problem(tag, "tag", _TAG_SET, TAG_CHARS, TAG_MAX)


def digest_problem(digest: str) -> str:
    """Return why a digest is not ``sha256:<64 lowercase hex>``, or ``""``."""
    if not digest:
        return "the digest after '@' is empty: want sha256:<64 lowercase hexadecimal characters>"
    if not digest.startswith(_SHA256_PREFIX):
        algorithm = digest.partition(":")[0] if ":" in digest else digest
        return (
            f"unsupported digest algorithm {algorithm!r}: "
            "want sha256:<64 lowercase hexadecimal characters>"
        )
    hex_part = digest[len(_SHA256_PREFIX) :]
    if len(hex_part) != _SHA256_HEX_LENGTH or not _LOWER_HEX.issuperset(hex_part):
        return "a sha256 digest must have exactly 64 lowercase hexadecimal characters"
    return ""


def _valid_optional_port(port: str) -> bool:
    # Go's validOptionalPort: empty, or ':' followed by ASCII digits (maybe none).
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def _valid_ipv6_literal(inner: str) -> bool:
    import ipaddress  # only bracketed hosts need it; keeps the package import cheap

    try:
        ipaddress.IPv6Address(inner)
    except ValueError:
        return False
    return True


def authority_problem(name: str) -> str:
    """Return why ``name`` is not a RFC 3986 authority (``host[:port]``), or ``""``.

    This is the rule of ggcr's ``checkRegistry``: Go's ``url.Parse("//" + name)``
    must succeed and give back ``name`` as the host. The empty string passes (the
    caller then uses the default registry).
    """
    reason = "registries must be valid RFC 3986 URI authorities (host[:port])"
    for char in name:
        code = ord(char)
        if code >= 0x80:
            continue  # Go lets non-ASCII bytes through in hosts
        if char.isalnum() or char in _HOST_PUNCTUATION:
            continue
        return reason
    if name.startswith("["):
        close = name.rfind("]")
        if close < 0 or not _valid_optional_port(name[close + 1 :]):
            return reason
        if not _valid_ipv6_literal(name[1:close]):
            return reason
    elif ":" in name and not _valid_optional_port(name[name.rfind(":") :]):
        return reason
    return ""
