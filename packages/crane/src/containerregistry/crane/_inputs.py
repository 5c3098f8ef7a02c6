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
    """Return whether ``text`` names a local input rather than a registry reference.

    Local means: it starts with ``/``, ``./``, ``../``, ``~`` or ``gs://`` (a layout in
    Google Cloud Storage), or it exists and is a file or an OCI layout directory. A
    reference such as ``ubuntu`` stays remote even when a plain folder of that name
    happens to exist.
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


def _pick_from_layout(index: ImageIndex, path: str) -> Image | ImageIndex:
    """The layout's only entry (image or index), or the layout's index when it has several."""
    manifests = list(index.index_manifest().manifests or ())
    if len(manifests) != 1:
        return index
    entry = manifests[0]
    if types.is_index(entry.media_type):
        return index.image_index(entry.digest)
    if types.is_image(entry.media_type):
        return index.image(entry.digest)
    raise InputError(
        f"the OCI layout {path} holds a {entry.media_type}, not an image or index; "
        "give an image reference instead"
    )


def load_input(ref_or_path: str, options: Options | OptionArgs | None = None) -> Image | ImageIndex:
    """Read IMAGE: an OCI layout directory, a docker tarball, or a registry reference.

    A layout with one entry gives that image or index, with several the layout's own
    index. A tarball gives its only image. A reference gives the image it names or,
    for an index with no platform in ``options`` (default: every platform), the index;
    with a platform, the matching child image. ``options``: :class:`Options` or its
    keyword mapping (default none).
    """
    opts = _options(options)
    path = os.path.expanduser(ref_or_path)
    if is_local(ref_or_path):
        if is_gcs(path) or os.path.isdir(path):
            found = _pick_from_layout(layout_index(path), path)
        elif os.path.isfile(path):
            from containerregistry import tarball

            return tarball.image_from_path(path)
        else:
            raise InputError(
                f"{ref_or_path} does not exist; give a tarball, a layout or a reference"
            )
        if opts.platform is not None and types.is_index(found.media_type()):
            return select_image(found, opts)  # type: ignore[arg-type]
        return found
    from containerregistry import remote

    descriptor = remote.get(opts.reference(ref_or_path), **opts.remote())
    if types.is_index(descriptor.media_type) and opts.platform is None:
        return descriptor.image_index()
    if types.is_schema1(descriptor.media_type):
        return descriptor.schema1()
    return descriptor.image()


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
