"""Reading from registries: ``get``, ``head``, ``digest``, ``manifest``, ``config``,
``pull``, ``pull_layer``, ``list_tags`` and ``catalog``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from containerregistry import logs, types
from containerregistry.crane._options import OptionArgs, Options

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from containerregistry.remote import Descriptor
    from containerregistry.v1 import Descriptor as V1Descriptor
    from containerregistry.v1 import Image, Layer


def get(ref: str, **options: Unpack[OptionArgs]) -> Descriptor:
    """Fetch the manifest ``ref`` names, of any kind (``crane.Get``)."""
    from containerregistry import remote

    opts = Options.make(options)
    return remote.get(opts.reference(ref), **opts.remote())


def head(ref: str, **options: Unpack[OptionArgs]) -> V1Descriptor:
    """Return the descriptor of ``ref`` from a HEAD request (``crane.Head``)."""
    from containerregistry import remote

    opts = Options.make(options)
    return remote.head(opts.reference(ref), **opts.remote())


def digest(ref: str, **options: Unpack[OptionArgs]) -> str:
    """Return the digest (``sha256:...``) of the manifest ``ref`` names.

    Without a platform (default) a HEAD request answers, with a GET as the fallback
    (and a warning on ``containerregistry.warn``). With a platform, an index gives
    the digest of its matching child.
    """
    from containerregistry import remote

    opts = Options.make(options)
    reference = opts.reference(ref)
    if opts.platform is not None:
        descriptor = remote.get(reference, **opts.remote())
        if not types.is_index(descriptor.media_type):
            return str(descriptor.digest)
        return str(descriptor.image().digest())
    try:
        return str(remote.head(reference, **opts.remote()).digest)
    except Exception as exc:  # any HEAD failure falls back, as crane does
        logs.warn.warning("HEAD request failed, falling back on GET: %s", exc)
    return str(remote.get(reference, **opts.remote()).digest)


def manifest(ref: str, **options: Unpack[OptionArgs]) -> bytes:
    """Return the manifest ``ref`` names, exactly as served (``crane.Manifest``).

    With a platform (default none), an index gives its matching child's manifest.
    """
    from containerregistry import remote

    opts = Options.make(options)
    descriptor = remote.get(opts.reference(ref), **opts.remote())
    if opts.platform is not None and types.is_index(descriptor.media_type):
        return descriptor.image().raw_manifest()
    return descriptor.raw_manifest()


def pull(ref: str, **options: Unpack[OptionArgs]) -> Image:
    """Return the image ``ref`` names, lazily (``crane.Pull``).

    An index resolves to the child for the platform (default linux/amd64).
    """
    from containerregistry import remote

    opts = Options.make(options)
    image: Image = remote.image(opts.reference(ref), **opts.remote())
    return image


def config(ref: str, **options: Unpack[OptionArgs]) -> bytes:
    """Return the config blob of the image ``ref`` names, as stored (``crane.Config``).

    An index resolves to the child for the platform (default linux/amd64).
    """
    return pull(ref, **options).raw_config_file()


def pull_layer(ref: str, **options: Unpack[OptionArgs]) -> Layer:
    """Return the layer (blob) that the digest reference ``ref`` names (``crane.PullLayer``)."""
    from containerregistry import name, remote

    opts = Options.make(options)
    layer: Layer = remote.layer(name.new_digest(ref, insecure=opts.insecure), **opts.remote())
    return layer


def list_tags(repository: str, **options: Unpack[OptionArgs]) -> list[str]:
    """Return the tags of ``repository`` in the registry's order, every page of them."""
    from containerregistry import remote

    opts = Options.make(options)
    return list(remote.list_tags(opts.repository(repository), **opts.remote()))


def catalog(registry: str, **options: Unpack[OptionArgs]) -> list[str]:
    """Return the repositories of ``registry``, every page of them (``crane.Catalog``)."""
    from containerregistry import remote

    opts = Options.make(options)
    return list(remote.catalog(opts.registry(registry), **opts.remote()))
