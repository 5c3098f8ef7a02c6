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


#: HEAD answers that ``remote.head`` has already followed with a GET (404, 405): a
#: second GET would only get the same answer.
_HEAD_ALREADY_FELL_BACK = frozenset({404, 405})


def digest(ref: str, **options: Unpack[OptionArgs]) -> str:
    """Return the digest (``sha256:...``) of the manifest ``ref`` names.

    Without a platform (default) a HEAD request answers; ``remote.head`` follows a
    404, a 405 or an answer without the manifest headers with a GET. Another
    refusal of the HEAD alone (401, 403, 501, ...) falls back on a GET here, with a
    warning on ``containerregistry.warn``, as crane does. A failure a GET would meet
    too does not: no connection, a spent retry budget (one operation, one budget).
    With a platform, an index gives the digest of its matching child.
    """
    from containerregistry import remote
    from containerregistry.transport import RETRY_STATUS_CODES, RegistryError

    opts = Options.make(options)
    reference = opts.reference(ref)
    if opts.platform is not None:
        descriptor = remote.get(reference, **opts.remote())
        if not types.is_index(descriptor.media_type):
            return str(descriptor.digest)
        return str(descriptor.image().digest())
    try:
        return str(remote.head(reference, **opts.remote()).digest)
    except RegistryError as exc:
        if exc.status in _HEAD_ALREADY_FELL_BACK or exc.status in RETRY_STATUS_CODES:
            raise
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
