"""Predicates over descriptors, used to pick manifests out of an index."""

from __future__ import annotations

from collections.abc import Callable

from containerregistry.v1 import Descriptor, Hash, Platform

#: A predicate over descriptors.
Matcher = Callable[[Descriptor], bool]

#: The OCI annotation that names a manifest in an image layout's index.json.
REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"


def name(ref_name: str) -> Matcher:
    """Match descriptors whose ``org.opencontainers.image.ref.name`` annotation is ``ref_name``."""
    return annotation(REF_NAME_ANNOTATION, ref_name)


def annotation(key: str, value: str) -> Matcher:
    """Match descriptors that carry the annotation ``key`` with exactly ``value``."""

    def matches(descriptor: Descriptor) -> bool:
        return key in descriptor.annotations and descriptor.annotations[key] == value

    return matches


def platforms(*wanted: Platform) -> Matcher:
    """Match descriptors whose platform equals one of ``wanted`` (``Platform.equals``).

    Descriptors without a platform never match.
    """

    def matches(descriptor: Descriptor) -> bool:
        platform = descriptor.platform
        if platform is None:
            return False
        return any(platform.equals(candidate) for candidate in wanted)

    return matches


def media_types(*types: str) -> Matcher:
    """Match descriptors whose media type is one of ``types``."""
    wanted = frozenset(types)

    def matches(descriptor: Descriptor) -> bool:
        return descriptor.media_type in wanted

    return matches


def digests(*hashes: Hash) -> Matcher:
    """Match descriptors whose digest is one of ``hashes``."""
    wanted = frozenset(hashes)

    def matches(descriptor: Descriptor) -> bool:
        return descriptor.digest in wanted

    return matches
