"""The hidden ``crane edit config|manifest|fs``: change an image by hand and push it.

When both stdin and stdout are terminals the content opens in ``$EDITOR`` (default
``vi``); otherwise the new content is read from stdin, which makes the commands
scriptable (``echo '{}' | crane edit config IMAGE``).
"""

from __future__ import annotations

import io
import os
import posixpath
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import by_digest_if_digest, parse_ref, pull, push
from containerregistry.crane.cli._options import remote_options

if TYPE_CHECKING:
    import tarfile

    from containerregistry.name import Reference
    from containerregistry.v1 import Hash, Image

Tag = Annotated[
    str,
    typer.Option(
        "-t",
        "--tag",
        help="New tag reference to apply to mutated image. If not provided, uses original "
        "tag or pushes a new digest.",
    ),
]
MediaType = Annotated[
    str, typer.Option("-m", "--media-type", help="Override the mediaType used as Content-Type.")
]
Filename = Annotated[
    str, typer.Option("-f", "--filename", help="Edit the given filename.", show_default=False)
]

#: Mode of a file that ``edit fs`` creates: fixed so the layer does not depend on
#: the umask, and readable and runnable by everyone.
_NEW_FILE_MODE = 0o555


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _edit_in_editor(content: bytes, suffix: str) -> bytes:
    """Open ``content`` in ``$EDITOR`` (default ``vi``) and return what was saved."""
    import shlex  # here, not at the top: every crane start imports this module
    import subprocess
    import tempfile

    editor = os.environ.get("EDITOR") or "vi"
    handle = tempfile.NamedTemporaryFile(prefix="crane-edit-", suffix=suffix, delete=False)  # noqa: SIM115
    try:
        with handle:
            handle.write(content)
        subprocess.run([*shlex.split(editor), handle.name], check=True)
        with open(handle.name, "rb") as edited:
            return edited.read()
    finally:
        os.unlink(handle.name)


def _new_content(current: bytes, suffix: str) -> bytes:
    if _interactive():
        return _edit_in_editor(current, suffix)
    return sys.stdin.buffer.read()


def _destination(ctx: typer.Context, source: str, tag: str, digest: Hash) -> Reference:
    if tag:
        return parse_ref(ctx, tag)
    return by_digest_if_digest(parse_ref(ctx, source), digest)


def _finish(ctx: typer.Context, source: str, tag: str, image: Image) -> None:
    destination = _destination(ctx, source, tag, image.digest())
    push(ctx, destination, image)
    sys.stdout.write(f"{destination}\n")


@reported
def config_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image whose config to edit.")],
    tag: Tag = "",
) -> None:
    """Edit an image's config file."""
    from containerregistry import mutate
    from containerregistry.v1 import ConfigFile

    original = pull(ctx, image)
    edited = _new_content(original.raw_config_file(), ".json")
    changed = mutate.config_file(original, ConfigFile.from_json(edited))
    _finish(ctx, image, tag, changed)


class _RawManifest:
    """A manifest given as bytes, pushed as they are."""

    def __init__(self, raw: bytes, media_type: str) -> None:
        self._raw = raw
        self._media_type = media_type

    def raw_manifest(self) -> bytes:
        return self._raw

    def media_type(self) -> str:
        return self._media_type


@reported
def manifest_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image whose manifest to edit.")],
    tag: Tag = "",
    media_type: MediaType = "",
) -> None:
    """Edit an image's manifest."""
    from containerregistry import remote
    from containerregistry.v1 import Hash

    descriptor = remote.get(parse_ref(ctx, image), **remote_options(ctx, platform=False))
    edited = _new_content(descriptor.raw_manifest(), ".json")
    destination = _destination(ctx, image, tag, Hash.of(edited))
    raw = _RawManifest(edited, media_type or descriptor.media_type)
    remote.put(destination, raw, **remote_options(ctx, platform=False))
    sys.stdout.write(f"{destination}\n")


def _normalize(path: str) -> str:
    return posixpath.normpath("/" + path)


def _find_file(image: Image, filename: str) -> tuple[tarfile.TarInfo | None, bytes]:
    """Return the header and content of ``filename`` in the flattened image, if present."""
    import tarfile

    from containerregistry import mutate

    wanted = _normalize(filename)
    with mutate.extract(image) as flat, tarfile.open(fileobj=flat, mode="r|") as archive:
        for member in archive:
            if _normalize(member.name) != wanted:
                continue
            reader = archive.extractfile(member)
            return member, reader.read() if reader is not None else b""
    return None, b""


@reported
def fs_command(
    ctx: typer.Context,
    image: Annotated[str, typer.Argument(help="The image whose filesystem to edit.")],
    filename: Filename,
    tag: Tag = "",
) -> None:
    """Edit the contents of an image's filesystem."""
    from containerregistry import mutate, tarball
    from containerregistry.archive import TarWriter
    from containerregistry.v1 import History

    original = pull(ctx, image)
    buffer = io.BytesIO()
    writer = TarWriter(buffer)
    if _interactive():
        found, current = _find_file(original, filename)
        suffix = posixpath.splitext(found.name if found is not None else filename)[1]
        edited = _edit_in_editor(current, suffix)
        if found is not None:
            found.size = len(edited)
            writer.add(found, io.BytesIO(edited))
        else:
            writer.add_file(filename, edited, mode=_NEW_FILE_MODE)
    else:
        writer.add_file(filename, sys.stdin.buffer.read(), mode=_NEW_FILE_MODE)
    writer.close()
    layer_bytes = buffer.getvalue()
    layer = tarball.layer_from_opener(lambda: io.BytesIO(layer_bytes))
    history = History(author="crane", created_by=" ".join(sys.argv))
    changed = mutate.append(original, mutate.Addendum(layer, history=history))
    _finish(ctx, image, tag, changed)


def build() -> typer.Typer:
    """Return the ``edit`` command group."""
    group = typer.Typer(
        name="edit",
        help="Edit the contents of an image.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    group.command("config", help=config_command.__doc__)(config_command)
    group.command("manifest", help=manifest_command.__doc__)(manifest_command)
    group.command("fs", help=fs_command.__doc__)(fs_command)
    return group


def register(app: typer.Typer) -> None:
    """Add the hidden ``edit`` group to ``app``."""
    app.add_typer(build(), name="edit", hidden=True)
