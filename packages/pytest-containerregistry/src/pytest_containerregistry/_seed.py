"""Random images and indexes pushed into a registry for a test to read."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.v1 import Image, ImageIndex
    from pytest_containerregistry._embedded import Credentials


@dataclasses.dataclass(frozen=True)
class SeededImage:
    """An image pushed by :class:`Seeder`."""

    #: The reference it was pushed to, as given (``host:port/repo:tag``).
    reference: str
    #: Its manifest digest, ``sha256:...``.
    digest: str
    #: The image itself, to compare with what a test reads back.
    image: Image = dataclasses.field(repr=False)

    @property
    def by_digest(self) -> str:
        """``host:port/repo@sha256:...``: the pushed manifest, whatever the tag says later."""
        return _by_digest(self.reference, self.digest)


@dataclasses.dataclass(frozen=True)
class SeededIndex:
    """An index pushed by :class:`Seeder`."""

    #: The reference it was pushed to, as given.
    reference: str
    #: Its manifest digest, ``sha256:...``.
    digest: str
    #: The index itself; its children are in the same repository.
    index: ImageIndex = dataclasses.field(repr=False)

    @property
    def by_digest(self) -> str:
        """``host:port/repo@sha256:...``."""
        return _by_digest(self.reference, self.digest)


def _by_digest(reference: str, digest: str) -> str:
    from containerregistry import name

    return f"{name.parse_reference(reference).context.name}@{digest}"


class Seeder:
    """Pushes images and indexes of random bytes (``containerregistry.random``).

    Every method takes the reference to push to, so one seeder serves every registry
    of a test, the embedded ones and registry:2 alike.
    """

    def image(
        self,
        reference: str,
        *,
        layers: int = 1,
        layer_size: int = 1024,
        seed: int | None = None,
        credentials: Credentials | None = None,
    ) -> SeededImage:
        """Push a random Docker v2 image to ``reference`` and return it with its digest.

        Args:
            reference: where to push, e.g. ``f"{registry}/app:1"``.
            layers: how many layers (default 1).
            layer_size: bytes in each layer's one file (default 1024).
            seed: default None (new bytes every call); an int gives the same image,
                digests included, on every run.
            credentials: what to log in with (default None: anonymous), e.g.
                ``auth_registry.credentials``.
        """
        from containerregistry import name, random, remote

        image = random.image(layer_size, layers, seed=seed)
        ref = name.parse_reference(reference)
        if credentials is None:
            remote.write(ref, image)
        else:
            remote.write(ref, image, authenticator=credentials.authenticator())
        return SeededImage(reference, str(image.digest()), image)

    def index(
        self,
        reference: str,
        *,
        images: int = 2,
        layers: int = 1,
        layer_size: int = 1024,
        seed: int | None = None,
        credentials: Credentials | None = None,
    ) -> SeededIndex:
        """Push an OCI index of ``images`` random images (default 2, no platforms) to
        ``reference``; the other arguments are :meth:`image`'s."""
        from containerregistry import name, random, remote

        index = random.index(layer_size, layers, images, seed=seed)
        ref = name.parse_reference(reference)
        if credentials is None:
            remote.write_index(ref, index)
        else:
            remote.write_index(ref, index, authenticator=credentials.authenticator())
        return SeededIndex(reference, str(index.digest()), index)
