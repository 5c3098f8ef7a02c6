"""Several platforms at once: parse ``--platform a,b`` and keep just those children of an index.

crane's ``--platform`` picks one child; given two or more, ``copy``, ``pull`` and
``flatten`` keep an index holding only the children asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from containerregistry.crane._errors import CraneOptionsError, InputError

if TYPE_CHECKING:
    from containerregistry.v1 import Descriptor, ImageIndex, Platform


def parse_platforms(values: Iterable[Platform | str] | str | None) -> list[Platform]:
    """Return the platforms ``values`` name, in order, without repeats.

    Each value is a :class:`Platform` or text of one or more comma separated
    ``os/arch[/variant][:osversion]``; a string is one such value. ``None``, ``""``
    and ``"all"`` name no platform (every one), so ``[]`` comes back. Raises
    :class:`CraneOptionsError` for text that is not a platform, and for ``all``
    given beside a platform.
    """
    from containerregistry.v1 import Platform

    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    found: list[Platform] = []
    saw_all = False
    for value in values:
        if isinstance(value, Platform):
            items: list[Platform | str] = [value]
        else:
            items = [part.strip() for part in value.split(",") if part.strip()]
        for item in items:
            if item == "all":
                saw_all = True
                continue
            try:
                platform = item if isinstance(item, Platform) else Platform.parse(item)
            except (ValueError, TypeError) as exc:
                raise CraneOptionsError(
                    f"invalid platform {item!r}: {exc}; "
                    "want os/arch[/variant][:osversion][,<platform>...] or all"
                ) from exc
            if platform not in found:
                found.append(platform)
    if saw_all and found:
        raise CraneOptionsError(
            "--platform all cannot be combined with other platforms; give either all or a list"
        )
    return found


def _matches(have: Platform | None, want: Platform) -> bool:
    """crane's WithPlatform rule: os and arch equal; variant, os version and features if asked."""
    if have is None:
        return False
    if have.os != want.os or have.architecture != want.architecture:
        return False
    if want.variant and have.variant != want.variant:
        return False
    if want.os_version and have.os_version != want.os_version:
        return False
    return set(want.features or ()) <= set(have.features or ())


def select_platforms(index: ImageIndex, platforms: Sequence[Platform]) -> ImageIndex:
    """Return ``index`` keeping only the children for ``platforms`` (descriptors unchanged).

    A child is kept when it matches one of ``platforms`` as ``--platform`` matches
    (os and architecture equal; variant, os version and features when given).
    Children without a platform (attestations, artifacts) are dropped. The index
    keeps its media type and annotations; untouched children keep their digests.
    Raises :class:`InputError` when a platform matches no child.
    """
    from containerregistry import mutate

    children = list(index.index_manifest().manifests or ())
    for want in platforms:
        if not any(_matches(child.platform, want) for child in children):
            have = ", ".join(str(c.platform) for c in children if c.platform) or "none"
            raise InputError(
                f"no child of the index matches platform {want} (it has: {have}); "
                "drop that platform or pick another"
            )

    def unwanted(descriptor: Descriptor) -> bool:
        return not any(_matches(descriptor.platform, want) for want in platforms)

    return mutate.remove_manifests(index, unwanted)


def pull_platforms(
    ref_or_path: str, platforms: Iterable[Platform | str] | str, **options: Any
) -> ImageIndex:
    """Return an index of just the children of ``ref_or_path`` for ``platforms``.

    ``ref_or_path`` is a registry reference, an OCI layout or a tarball path (see
    :func:`containerregistry.crane.load_input`) naming an index; ``options`` are
    crane's keyword options (their ``platform`` is ignored). Raises
    :class:`InputError` when it names a single image, or when a platform matches
    no child.
    """
    from containerregistry import types
    from containerregistry.crane._inputs import load_input
    from containerregistry.crane._options import Options

    wanted = parse_platforms(platforms)
    found = load_input(ref_or_path, Options.make(None, **{**options, "platform": None}))
    if not types.is_index(found.media_type()):
        raise InputError(
            f"{ref_or_path} is a single image, not an index: there are no platforms to pick"
        )
    return select_platforms(found, wanted)  # type: ignore[arg-type]
