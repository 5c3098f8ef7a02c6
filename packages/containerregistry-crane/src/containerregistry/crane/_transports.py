"""Where an image comes from or goes to: skopeo's transport names, parsed in one place.

Every command of crane, gcrane and kcrane that reads or writes an image takes, beside
a plain registry reference, skopeo's spellings:

=========================  ========================================================
``docker://REF``           a registry (the same as a plain ``REF``)
``docker-daemon:NAME[:TAG]``  the Docker Engine, through the Docker SDK
``docker-archive:PATH[:REF]`` a ``docker save`` tarball; ``REF`` picks or sets a tag
``oci:DIR[:REF]``          an OCI image layout; ``REF`` is the entry's
                           ``org.opencontainers.image.ref.name``
``oci-archive:PATH[:REF]`` an OCI image layout in a tar file
=========================  ========================================================

A plain argument keeps crane's meaning: a registry reference, or (only where an image
is read) a path that starts with ``/``, ``./``, ``../`` or ``~``, an existing file, an
existing OCI layout or ``gs://bucket/dir``.

Ambiguity. ``oci:5000/app`` is both a registry reference (host ``oci``, port 5000,
as crane reads it) and, to skopeo, the layout in the directory ``5000/app``. A word
followed by a port (digits, then ``/`` or the end) stays a registry reference, so
crane scripts that use such a host keep working; write ``oci:./5000/app`` for the
layout. Everything else after one of the four words is read as that transport: the
Docker Hub images ``oci:TAG``, ``docker-archive:TAG`` and so on (there are no such
official images) are spelled ``docker.io/library/oci:TAG`` or ``docker://oci:TAG``.
As in skopeo, the path ends at the first ``:``, so a path that contains one is not
supported.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Literal

from containerregistry import types
from containerregistry.crane._errors import CraneError, InputError
from containerregistry.crane._inputs import is_local_path
from containerregistry.crane._options import registry_text as registry_text
from containerregistry.lazy import record

if TYPE_CHECKING:
    from containerregistry.crane._options import Options
    from containerregistry.v1 import Hash, Image, ImageIndex

Kind = Literal["registry", "path", "docker-daemon", "docker-archive", "oci", "oci-archive"]

#: skopeo's prefix for a registry; the rest is a plain reference.
DOCKER_PREFIX = "docker://"
#: The transports written ``NAME:REST`` (longest first: ``oci-archive`` before ``oci``).
TRANSPORTS: tuple[Kind, ...] = ("docker-daemon", "docker-archive", "oci-archive", "oci")
#: The annotation that names a layout entry (what skopeo's ``oci:DIR:REF`` sets and reads).
REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name"
#: ``WORD:PORT`` or ``WORD:PORT/...``: a registry host with a port, never a transport.
_PORT = re.compile(r"[0-9]+(/|$)")


class TransportError(CraneError, ValueError):
    """An image location that cannot be used as asked (bad syntax, wrong direction)."""


@record
class Location:
    """Where an image is: a transport and what it needs.

    - ``kind``: ``"registry"``, ``"path"`` (crane's plain local input: a layout
      directory, a tarball or ``gs://``), or one of :data:`TRANSPORTS`.
    - ``target``: the registry reference, the daemon's image name, or the path.
    - ``ref``: the reference inside an archive or layout (default None: the only one).
    - ``text``: the argument as the user wrote it (what messages show).
    """

    kind: Kind
    target: str
    ref: str | None = None
    text: str = ""

    @property
    def is_registry(self) -> bool:
        """Whether this is a registry reference (plain or ``docker://``)."""
        return self.kind == "registry"

    def __str__(self) -> str:
        return self.text or self.target


def _transport_of(text: str) -> Kind | None:
    for kind in TRANSPORTS:
        prefix = kind + ":"
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            return None if _PORT.match(rest) else kind
    return None


def parse(text: str, *, sink: bool = False) -> Location:
    """Parse an image argument into a :class:`Location`.

    ``sink`` (default False) parses a destination: a plain argument is then always a
    registry reference, as in crane (a source may also be a plain local path).
    Raises :class:`TransportError` for a transport with nothing after it.
    """
    if text.startswith(DOCKER_PREFIX):
        target = text[len(DOCKER_PREFIX) :]
        if not target:
            raise TransportError(f"{text!r} names no image; write docker://REGISTRY/REPO:TAG")
        return Location("registry", target, text=text)
    kind = _transport_of(text)
    if kind is None:
        if not sink and is_local_path(text):
            return Location("path", text, text=text)
        return Location("registry", text, text=text)
    rest = text[len(kind) + 1 :]
    if kind == "docker-daemon":
        target, ref = rest, None
    else:
        target, _, after = rest.partition(":")
        ref = after or None
    if not target:
        what = "an image name" if kind == "docker-daemon" else "a path"
        raise TransportError(f"{text!r} names no image: give {what} after {kind}:")
    return Location(kind, target, ref, text=text)


def _as_location(where: Location | str, *, sink: bool) -> Location:
    return where if isinstance(where, Location) else parse(where, sink=sink)


# -- reading ------------------------------------------------------------------------


def _daemon() -> object:
    """Import ``containerregistry.daemon``, or say how to install it in one line."""
    try:
        from containerregistry import daemon
    except ImportError:
        raise TransportError(
            "docker-daemon: needs the containerregistry-daemon distribution; install "
            "it with `pip install 'containerregistry-crane[daemon]'`"
        ) from None
    return daemon


def _daemon_image(location: Location) -> Image:
    from containerregistry import name

    _daemon()
    from containerregistry import daemon

    try:
        reference = name.parse_reference(location.target)
    except Exception as exc:
        raise TransportError(
            f"{location}: {location.target!r} is not an image name: {exc}"
        ) from None
    # A temporary file, not memory: daemon images are often hundreds of MB.
    image: Image = daemon.image(reference, buffer="file")
    return image


def _layout_entry(index: ImageIndex, location: Location) -> Image | ImageIndex:
    """The layout entry ``location.ref`` names, or (without one) the only entry or the index."""
    manifests = list(index.index_manifest().manifests or ())
    if location.ref is None:
        if len(manifests) != 1:
            return index
        chosen = manifests[0]
    else:
        named = [
            m for m in manifests if (m.annotations or {}).get(REF_NAME_ANNOTATION) == location.ref
        ]
        if not named:
            known = sorted(
                {(m.annotations or {}).get(REF_NAME_ANNOTATION, "") for m in manifests} - {""}
            )
            raise InputError(
                f"{location}: the layout has no entry named {location.ref!r}"
                + (f" (it has: {', '.join(known)})" if known else " (its entries have no names)")
            )
        chosen = named[-1]  # the newest of equal names, as appended last
    if types.is_index(chosen.media_type):
        return index.image_index(chosen.digest)
    if types.is_image(chosen.media_type):
        return index.image(chosen.digest)
    raise InputError(f"{location}: the entry is a {chosen.media_type}, not an image or index")


def _layout_index(path: str, location: Location) -> ImageIndex:
    from containerregistry import layout

    if path.startswith("gs://"):
        return layout.gcs_layout(path).image_index()
    if not os.path.isdir(path):
        what = "is a file" if os.path.exists(path) else "does not exist"
        raise InputError(
            f"{location}: {path} {what}; oci: wants an OCI layout directory (one with "
            "index.json and blobs/)"
        )
    index: ImageIndex = layout.image_index_from_path(path)
    return index


def _extracted_archive(path: str, location: Location) -> str:
    """Unpack the OCI archive at ``path`` into a temporary directory and return it.

    The directory is removed when the returned layout's last image is gone, or at exit.
    """
    import shutil
    import tarfile
    import tempfile

    if not os.path.isfile(path):
        raise InputError(f"{location}: {path} does not exist or is not a file")
    directory = tempfile.mkdtemp(prefix="crane-oci-archive-")
    try:
        with tarfile.open(path, "r:*") as archive:
            archive.extractall(directory, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise InputError(
            f"{location}: {path} is not a readable tar of an OCI layout ({exc})"
        ) from None
    return directory


def _archive_index(path: str, location: Location) -> ImageIndex:
    import shutil
    import weakref

    from containerregistry import layout
    from containerregistry.layout import InvalidLayoutError

    directory = _extracted_archive(path, location)
    try:
        opened = layout.from_path(directory)
        index: ImageIndex = opened.image_index()
    except InvalidLayoutError:
        shutil.rmtree(directory, ignore_errors=True)
        raise InputError(
            f"{location}: {path} holds no OCI layout (no index.json at its top); "
            "skopeo copy ... oci-archive:PATH writes one"
        ) from None
    # Every view of the layout holds its blob opener, a method of ``opened``.
    weakref.finalize(opened, shutil.rmtree, directory, ignore_errors=True)
    return index


def read(where: Location | str, options: Options) -> Image | ImageIndex:
    """Read the image or index ``where`` names (a :class:`Location` or an argument).

    An index is returned whole unless ``options`` name a platform (default: every
    platform), then its matching child image. A layout (``oci:``, ``oci-archive:``
    or a plain directory) gives the entry ``REF`` names, else its only entry, else
    its own index. ``docker-daemon:`` and ``docker-archive:`` always give one image.
    """
    from containerregistry.crane._inputs import select_image

    location = _as_location(where, sink=False)
    found: Image | ImageIndex
    if location.kind == "registry":
        from containerregistry import remote

        descriptor = remote.get(options.reference(location.target), **options.remote())
        if types.is_index(descriptor.media_type) and options.platform is None:
            return descriptor.image_index()
        if types.is_schema1(descriptor.media_type):
            return descriptor.schema1()
        return descriptor.image()
    if location.kind == "docker-daemon":
        return _daemon_image(location)
    if location.kind == "docker-archive":
        return _tarball_image(location.target, location.ref, location)
    if location.kind == "oci":
        found = _layout_entry(
            _layout_index(os.path.expanduser(location.target), location), location
        )
    elif location.kind == "oci-archive":
        found = _layout_entry(
            _archive_index(os.path.expanduser(location.target), location), location
        )
    else:
        path = os.path.expanduser(location.target)
        if path.startswith("gs://") or os.path.isdir(path):
            found = _layout_entry(_layout_index(path, location), location)
        elif os.path.isfile(path):
            return _tarball_image(path, None, location)
        else:
            raise InputError(f"{location} does not exist; give a tarball, a layout or a reference")
    if options.platform is not None and types.is_index(found.media_type()):
        return select_image(found, options)  # type: ignore[arg-type]
    return found


def _tarball_image(path: str, tag: str | None, location: Location) -> Image:
    from containerregistry import tarball

    path = os.path.expanduser(path)
    if not os.path.isfile(path):
        what = "is a directory" if os.path.isdir(path) else "does not exist"
        raise InputError(f"{location}: {path} {what}; docker-archive: wants a docker save tarball")
    image: Image = tarball.image_from_path(path, tag=tag)
    return image


def read_image(where: Location | str, options: Options) -> Image:
    """As :func:`read`, but an index gives its child for the platform (default linux/amd64)."""
    from containerregistry.crane._inputs import select_image

    found = read(where, options)
    if types.is_index(found.media_type()):
        return select_image(found, options)  # type: ignore[arg-type]
    return found  # type: ignore[return-value]


# -- writing ------------------------------------------------------------------------


def _one_image(item: Image | ImageIndex, options: Options, location: Location) -> Image:
    """An index's child for the platform (default linux/amd64): the sink holds one image."""
    from containerregistry.crane._inputs import select_image

    if types.is_index(item.media_type()):
        return select_image(item, options)  # type: ignore[arg-type]
    return item  # type: ignore[return-value]


def _check_parent(path: str, location: Location) -> None:
    """Fail with the user's path when the directory a file goes into does not exist."""
    from containerregistry.crane._destination import DestinationError, check_destination

    try:
        check_destination(path)
    except DestinationError as exc:
        raise DestinationError(f"{location}: {exc}") from None


def write(where: Location | str, item: Image | ImageIndex, options: Options) -> Hash:
    """Write ``item`` (an image or index) to ``where`` and return the digest written.

    A registry gets it as ``remote.write`` puts it. ``docker-daemon:NAME[:TAG]``
    (``:latest`` by default) and ``docker-archive:PATH[:REF]`` (no tag by default)
    hold one image: an index gives its child for the options' platform (default
    linux/amd64). ``oci:DIR[:REF]`` adds the image or index to the layout (created
    when missing), replacing an entry of the same ``REF``; ``oci-archive:PATH[:REF]``
    writes a new tar of such a layout. Files are replaced atomically.
    """
    location = _as_location(where, sink=True)
    if location.kind == "registry":
        from containerregistry import remote

        reference = options.reference(location.target)
        if types.is_index(item.media_type()):
            remote.write_index(reference, item, **options.remote(platform=False))  # type: ignore[arg-type]
        else:
            remote.write(reference, item, **options.remote(platform=False))  # type: ignore[arg-type]
        return item.digest()
    if location.kind == "docker-daemon":
        return _write_daemon(location, _one_image(item, options, location))
    if location.kind == "docker-archive":
        return _write_docker_archive(location, _one_image(item, options, location), options)
    if location.kind == "oci":
        path = os.path.expanduser(location.target)
        if os.path.isfile(path):
            raise InputError(f"{location}: {path} is a file; oci: wants a directory")
        _add_to_layout(path, item, location.ref)
        return item.digest()
    if location.kind == "oci-archive":
        return _write_oci_archive(location, item)
    raise TransportError(
        f"{location} is a local path; as a destination write oci:DIR, oci-archive:PATH "
        "or docker-archive:PATH"
    )


def _write_daemon(location: Location, image: Image) -> Hash:
    from containerregistry import name

    _daemon()
    from containerregistry import daemon

    try:
        tag = name.new_tag(location.target)
    except Exception as exc:
        raise TransportError(
            f"{location}: {location.target!r} is not NAME[:TAG] ({exc}); the daemon is "
            "written by tag"
        ) from None
    daemon.write(tag, image)
    return image.digest()


def _write_docker_archive(location: Location, image: Image, options: Options) -> Hash:
    from containerregistry import name, tarball

    path = os.path.expanduser(location.target)
    _check_parent(path, location)
    reference: name.Reference
    if location.ref is not None:
        reference = name.new_tag(location.ref)
    else:
        # A digest reference: the tarball gets no RepoTags, as skopeo writes it.
        reference = name.new_digest(f"image@{image.digest()}")
    tarball.write_to_file(path, reference, image, jobs=options.jobs)
    return image.digest()


def _add_to_layout(path: str, item: Image | ImageIndex, ref: str | None) -> None:
    from containerregistry.crane._save import multi_save_oci, replace_by_name

    if ref is None:
        multi_save_oci([(item, None)], path)
    else:
        replace_by_name(item, path, ref)


def _write_oci_archive(location: Location, item: Image | ImageIndex) -> Hash:
    import shutil
    import tarfile
    import tempfile

    from containerregistry.files import atomic_file

    path = os.path.expanduser(location.target)
    _check_parent(path, location)
    directory = tempfile.mkdtemp(prefix="crane-oci-archive-")
    try:
        _add_to_layout(directory, item, location.ref)
        # Renamed into place whole; a device or FIFO (/dev/null) is written in place.
        with atomic_file(path) as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            for entry in sorted(os.listdir(directory)):
                archive.add(os.path.join(directory, entry), arcname=entry)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return item.digest()


# -- names --------------------------------------------------------------------------


def tags(where: Location | str, options: Options) -> list[str]:
    """Return the tags ``where`` holds: a registry repository's, a layout's ref names,
    a docker archive's RepoTags, or the daemon's tags of the repository NAME."""
    from containerregistry.crane._read import list_tags

    location = _as_location(where, sink=False)
    if location.kind == "registry":
        return list_tags(location.target, **options.args())
    if location.kind in ("oci", "oci-archive", "path"):
        reader = _layout_index if location.kind != "oci-archive" else _archive_index
        index = reader(os.path.expanduser(location.target), location)
        names = [
            (m.annotations or {}).get(REF_NAME_ANNOTATION)
            for m in index.index_manifest().manifests or ()
        ]
        return [n for n in names if n]
    if location.kind == "docker-archive":
        from containerregistry import tarball

        path = os.path.expanduser(location.target)
        if not os.path.isfile(path):
            raise InputError(f"{location}: {path} does not exist or is not a file")
        entries = tarball.load_manifest(lambda: open(path, "rb"), source=path)  # noqa: SIM115
        return [t for entry in entries for t in (entry.repo_tags or ())]
    return _daemon_tags(location)


def _daemon_tags(location: Location) -> list[str]:
    from containerregistry import name

    _daemon()
    from containerregistry.daemon._client import api_client, sdk_errors
    from containerregistry.daemon._errors import host_of, translate

    repository = name.new_repository(location.target)
    api, created = api_client(None, action="list", subject=f"repository {repository}")
    try:
        try:
            found = api.images(name=location.target)
        except sdk_errors() as exc:
            raise translate(exc, action="list", subject=location.target, host=host_of(api)) from exc
    finally:
        if created:
            api.close()
    out: list[str] = []
    for image in found:
        for repo_tag in image.get("RepoTags") or ():
            repo, _, tag = repo_tag.rpartition(":")
            if repo and tag and repo == location.target:
                out.append(tag)
    return sorted(set(out))


def add_tag(where: Location | str, new_tag: str, options: Options) -> None:
    """Give the image ``where`` names the tag ``new_tag`` in the same place.

    A registry repository, an OCI layout (a new entry named ``new_tag``) or the
    daemon (``docker tag``); archives are rewritten by ``crane copy`` instead.
    """
    location = _as_location(where, sink=False)
    if location.kind == "registry":
        from containerregistry.crane._write import tag

        tag(location.target, new_tag, **options.args())
        return
    if location.kind in ("oci", "path") and not location.target.startswith("gs://"):
        path = os.path.expanduser(location.target)
        item = _layout_entry(_layout_index(path, location), location)
        _add_to_layout(path, item, new_tag)
        return
    if location.kind == "docker-daemon":
        from containerregistry import name

        _daemon()
        from containerregistry import daemon

        source = name.parse_reference(location.target)
        daemon.tag(source, source.context.tag(new_tag))
        return
    raise TransportError(
        f"{location}: tag works on a registry, an OCI layout or the daemon; to tag in an "
        f"archive, crane copy it to {location.kind}:PATH:NEWREF"
    )
