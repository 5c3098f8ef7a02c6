"""``parse_reference``: read a tag or a digest reference from text."""

from __future__ import annotations

from typing import TypeAlias

from containerregistry.name._digest import Digest, new_digest
from containerregistry.name._errors import BadNameError
from containerregistry.name._registry import DEFAULT_REGISTRY
from containerregistry.name._tag import DEFAULT_TAG, Tag, new_tag

#: Either kind of image reference; both have ``context``, ``identifier``,
#: ``name``, ``scope(action)`` and ``str()`` (the original text).
Reference: TypeAlias = Tag | Digest


def parse_reference(
    text: str,
    *,
    strict: bool = False,
    insecure: bool = False,
    default_registry: str = DEFAULT_REGISTRY,
    default_tag: str = DEFAULT_TAG,
) -> Reference:
    """Parse an image reference: a :class:`Tag` if possible, else a :class:`Digest`.

    Args:
        text: e.g. ``ubuntu``, ``gcr.io/project/image:v1`` or
            ``repo@sha256:<64 hex>``. ``repo:tag@sha256:...`` gives a Digest (the
            tag is dropped, as in ggcr).
        strict: require an explicit registry, ``library/`` on Docker Hub, and a
            tag or digest (default ``False``).
        insecure: allow plain http for the registry (default ``False``).
        default_registry: the registry when ``text`` has none (default
            ``index.docker.io``).
        default_tag: the tag when ``text`` has neither tag nor digest (default
            ``latest``).

    Raises:
        BadNameError: ``text`` is neither; the message names the input and the
            rule it broke.
    """
    if text.startswith(("http://", "https://")):
        raise BadNameError(
            "reference",
            text,
            "an image reference has no URL scheme: drop the http:// or https:// "
            "(pass insecure=True to allow plain http)",
        )
    try:
        return new_tag(
            text,
            strict=strict,
            insecure=insecure,
            default_registry=default_registry,
            default_tag=default_tag,
        )
    except BadNameError as exc:
        tag_error = exc
    try:
        return new_digest(
            text,
            strict=strict,
            insecure=insecure,
            default_registry=default_registry,
            default_tag=default_tag,
        )
    except BadNameError as exc:
        # Report what went wrong with the reading the user most likely meant.
        cause = exc if "@" in text else tag_error
        raise BadNameError("reference", text, cause.reason) from cause
