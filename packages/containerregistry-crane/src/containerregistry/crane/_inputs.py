"""IMAGE arguments: a registry reference, an OCI layout directory or a tarball path."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from containerregistry import types
from containerregistry.crane._errors import InputError
from containerregistry.crane._options import OptionArgs, Options

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex


def is_gcs(text: str) -> bool:
    """Return whether ``text`` is an OCI layout in Google Cloud Storage (``gs://bucket/dir``)."""
    return text.startswith("gs://")


def is_local(text: str) -> bool:
    """Return whether ``text`` names an image outside a registry.

    True for skopeo's transports (``oci:``, ``oci-archive:``, ``docker-archive:``,
    ``docker-daemon:``; see :mod:`containerregistry.crane._transports`) and for a
    plain local path: one that starts with ``/``, ``./``, ``../``, ``~`` or
    ``gs://``, or an existing file or OCI layout directory. A reference such as
    ``ubuntu`` (or ``docker://ubuntu``) stays remote even when a folder of that
    name exists.
    """
    if not text.startswith(TRANSPORT_PREFIXES):
        return is_local_path(text)  # a plain argument: no need to load the transports
    from containerregistry.crane._transports import parse

    return not parse(text).is_registry


#: How every skopeo transport argument starts (``docker://`` and the ``NAME:`` forms
#: of :data:`containerregistry.crane._transports.TRANSPORTS`); a plain argument starts
#: with none of them.
TRANSPORT_PREFIXES = ("docker://", "docker-daemon:", "docker-archive:", "oci:", "oci-archive:")


def is_local_path(text: str) -> bool:
    """Return whether the plain ``text`` names a local input rather than a registry.

    Local means: it starts with ``/``, ``./``, ``../``, ``~`` or ``gs://``, or it
    exists and is a file or an OCI layout directory. A reference such as ``ubuntu``
    stays remote even when a plain folder of that name exists.
    """
    if text.startswith(("/", "./", "../", "~", "gs://")) or text in (".", ".."):
        return True
    if os.path.isfile(text):
        return True
    return os.path.isdir(text) and os.path.exists(os.path.join(text, "index.json"))


def _options(options: Options | OptionArgs | None) -> Options:
    if isinstance(options, Options):
        return options
    return Options.make(options)


def layout_index(path: str) -> ImageIndex:
    """Return the index of the OCI layout at ``path`` (a directory or ``gs://bucket/dir``)."""
    from containerregistry import layout

    if is_gcs(path):
        return layout.gcs_layout(path).image_index()
    index: ImageIndex = layout.image_index_from_path(path)
    return index


def load_input(ref_or_path: str, options: Options | OptionArgs | None = None) -> Image | ImageIndex:
    """Read IMAGE: a registry reference, a transport (``oci:DIR[:REF]``, ...) or a path.

    A layout gives the entry ``REF`` names, or its only entry, or (several) the
    layout's own index. A tarball or the daemon gives one image. A registry
    reference gives the image it names or, for an index with no platform in
    ``options`` (default: every platform), the index; with a platform, the matching
    child image. ``options``: :class:`Options` or its keyword mapping (default none).
    """
    from containerregistry.crane._transports import read

    return read(ref_or_path, _options(options))


def select_image(index: ImageIndex, options: Options) -> Image:
    """The child image of ``index`` for the options' platform (default linux/amd64)."""
    from containerregistry.v1 import Platform

    want = options.platform or Platform(os="linux", architecture="amd64")
    current = index
    while True:
        found = None
        for child in current.index_manifest().manifests or ():
            have = child.platform or Platform(os="linux", architecture="amd64")
            if _matches(have, want):
                found = child
                break
        if found is None:
            raise InputError(f"no child of the index matches platform {want}")
        if types.is_index(found.media_type):
            current = current.image_index(found.digest)
            continue
        return current.image(found.digest)


def _matches(have: Any, want: Any) -> bool:
    if have.os != want.os or have.architecture != want.architecture:
        return False
    if want.variant and have.variant != want.variant:
        return False
    if want.os_version and have.os_version != want.os_version:
        return False
    return set(want.features or ()) <= set(have.features or ())


def load_image(ref_or_path: str, options: Options | OptionArgs | None = None) -> Image:
    """As :func:`load_input`, but an index resolves to one image (default platform linux/amd64)."""
    opts = _options(options)
    found = load_input(ref_or_path, opts)
    if types.is_index(found.media_type()):
        return select_image(found, opts)  # type: ignore[arg-type]
    return found  # type: ignore[return-value]


def load(ref_or_path: str, options: Options | OptionArgs | None = None) -> Image | ImageIndex:
    """Alias of :func:`load_input` (the name the CLI modules use)."""
    return load_input(ref_or_path, options)
