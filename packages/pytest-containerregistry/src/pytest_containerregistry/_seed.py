"""Random images and indexes pushed into a registry for a test to read."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from containerregistry.remote import OptionArgs
    from containerregistry.v1 import Image, ImageIndex
    from pytest_containerregistry._embedded import Credentials


@dataclasses.dataclass(frozen=True)
class _Seeded:
    #: The reference it was pushed to, as given (``host:port/repo:tag``).
    reference: str
    #: Its manifest digest, ``sha256:...``.
    digest: str

    @property
    def by_digest(self) -> str:
        """``host:port/repo@sha256:...``: the pushed manifest, whatever the tag says later."""
        from containerregistry import name

        return f"{name.parse_reference(self.reference).context.name}@{self.digest}"


@dataclasses.dataclass(frozen=True)
class SeededImage(_Seeded):
    """An image pushed by :class:`Seeder`."""

    #: The image itself, to compare with what a test reads back.
    image: Image = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class SeededIndex(_Seeded):
    """An index pushed by :class:`Seeder`."""

    #: The index itself; its children are in the same repository.
    index: ImageIndex = dataclasses.field(repr=False)


def _login(credentials: Credentials | None) -> OptionArgs:
    """``remote`` options for ``credentials``: none, or their authenticator."""
    if credentials is None:
        return {}
    return {"authenticator": credentials.authenticator()}


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
        remote.write(name.parse_reference(reference), image, **_login(credentials))
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
        remote.write_index(name.parse_reference(reference), index, **_login(credentials))
        return SeededIndex(reference, str(index.digest()), index)
