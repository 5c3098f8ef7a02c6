"""``crane append``: add tarballs as layers on top of a base image and push (or save) it."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from containerregistry.crane.cli._errors import reported
from containerregistry.crane.cli._mutate import (
    digest_ref,
    elsewhere,
    parse_ref,
    pull,
    push,
    save,
    split_list,
    write_elsewhere,
)
from containerregistry.crane.cli._platforms import CompressionOption

if TYPE_CHECKING:
    from containerregistry.v1 import Image, Layer

Base = Annotated[str, typer.Option("-b", "--base", help="Name of base image to append to.")]
NewTag = Annotated[
    str,
    typer.Option("-t", "--new_tag", help="Tag to apply to resulting image.", show_default=False),
]
NewLayer = Annotated[
    list[str],
    typer.Option(
        "-f", "--new_layer", help="Path to tarball to append to image (- for stdin; repeatable)."
    ),
]
Output = Annotated[
    str, typer.Option("-o", "--output", help="Path to new tarball of resulting image.")
]
Annotate = Annotated[
    bool,
    typer.Option(
        "--set-base-image-annotations",
        help="If true, annotate the resulting image as being based on the base image.",
    ),
]
OciEmptyBase = Annotated[
    bool,
    typer.Option(
        "--oci-empty-base",
        help="If true, empty base image will have OCI media types instead of Docker.",
    ),
]

AllPlatforms = Annotated[
    bool,
    typer.Option(
        "--all-platforms",
        help="Append to every image of a base index (keeping each child's platform and "
        "annotations) and push a new index, instead of one platform's image.",
    ),
]

#: The OCI annotations that record what an image was built on.
_BASE_NAME = "org.opencontainers.image.base.name"
_BASE_DIGEST = "org.opencontainers.image.base.digest"


@reported
def append_command(
    ctx: typer.Context,
    new_tag: NewTag,
    new_layer: NewLayer,
    base: Base = "",
    output: Output = "",
    set_base_image_annotations: Annotate = False,
    oci_empty_base: OciEmptyBase = False,
    all_platforms: AllPlatforms = False,
    compression: CompressionOption = None,
) -> None:
    """Append contents of a tarball to a remote image."""
    _append(
        ctx,
        base=base,
        new_tag=new_tag,
        layers=split_list(new_layer),
        output=output,
        annotate=set_base_image_annotations,
        oci_empty_base=oci_empty_base,
        all_platforms=all_platforms,
        compression=compression,
    )


def _append(
    ctx: typer.Context,
    *,
    base: str,
    new_tag: str,
    layers: list[str],
    output: str,
    annotate: bool,
    oci_empty_base: bool,
    all_platforms: bool = False,
    compression: str | None = None,
) -> None:
    from containerregistry import empty, mutate, remote, types
    from containerregistry.crane._append import append, layer_from_path
    from containerregistry.crane._inputs import load_input
    from containerregistry.crane._recompress import (
        map_index,
        oci_if_mixed,
        parse_algorithm,
        recompress,
    )
    from containerregistry.crane._windows import is_windows, windows_layer
    from containerregistry.crane.cli._platforms import options_for
    from containerregistry.errors import ContainerRegistryError
    from containerregistry.v1 import ImageIndex

    if base and oci_empty_base:
        raise ContainerRegistryError(
            "--oci-empty-base cannot be combined with --base: the empty base is only used "
            "when no base is given"
        )
    algorithm = parse_algorithm(compression) if compression is not None else None
    base_image: Image
    base_index: ImageIndex | None = None
    if base and all_platforms:
        found = load_input(base, options_for(ctx, []))
        if types.is_index(found.media_type()):
            base_index = found  # type: ignore[assignment]
    if base_index is not None:
        if output:
            raise ContainerRegistryError(
                f"{base} is an index: a tarball (-o) holds one image; push it instead "
                "or drop --all-platforms"
            )
        # Each layer is read once and shared by every child (the Windows form too).
        new_layers = [layer_from_path(path) for path in layers]
        windows_layers: list[Layer] = []

        def change(image: Image) -> Image:
            on_top = new_layers
            if is_windows(image):
                if not windows_layers:
                    windows_layers.extend(windows_layer(layer) for layer in new_layers)
                on_top = windows_layers
            changed = mutate.append_layers(image, *on_top, follow_base=True)
            if annotate:
                changed = mutate.annotations(changed, _base_annotations(ctx, base, image))
            if algorithm is not None:
                changed = recompress(changed, algorithm)
            return changed

        result_index = oci_if_mixed(map_index(base_index, change))
        if elsewhere(new_tag):
            write_elsewhere(ctx, new_tag, result_index)
            return
        ref = parse_ref(ctx, new_tag)
        remote.write_index(ref, result_index, **options_for(ctx, []).remote(platform=False))
        sys.stdout.write(digest_ref(ref, result_index.digest()) + "\n")
        return
    if base:
        base_image = pull(ctx, base)
    else:
        typer.echo("base unspecified, using empty image", err=True)
        base_image = empty.image
        if oci_empty_base:
            base_image = mutate.media_type(base_image, types.OCI_MANIFEST_SCHEMA1)
            base_image = mutate.config_media_type(base_image, types.OCI_CONFIG_JSON)
    # Only pushed: the layers are gzipped while they upload (nothing else reads them).
    streamed = not output and algorithm is None and not elsewhere(new_tag)
    image = append(base_image, *layers, streamed=streamed)
    if base and annotate:
        image = mutate.annotations(image, _base_annotations(ctx, base, base_image))
    if algorithm is not None:
        image = recompress(image, algorithm)
    if output:
        save(image, new_tag, output)
        return
    if elsewhere(new_tag):
        write_elsewhere(ctx, new_tag, image)
        return
    ref = parse_ref(ctx, new_tag)
    push(ctx, ref, image)
    sys.stdout.write(digest_ref(ref, image.digest()) + "\n")


def _base_annotations(ctx: typer.Context, base: str, base_image: Image) -> dict[str, str]:
    """The base name (only for a tag reference, as crane) and digest annotations."""
    from containerregistry import name
    from containerregistry.crane._inputs import is_local

    base_name = ""
    if not is_local(base):
        base_ref = parse_ref(ctx, base)
        base_name = str(base_ref) if isinstance(base_ref, name.Tag) else ""
    return {_BASE_NAME: base_name, _BASE_DIGEST: str(base_image.digest())}


def register(app: typer.Typer) -> None:
    """Add ``append`` to ``app``."""
    app.command("append", help=append_command.__doc__)(append_command)
