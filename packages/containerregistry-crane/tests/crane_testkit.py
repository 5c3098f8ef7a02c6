"""Helpers shared by the crane CLI tests: run a command, seed a registry, read digests.

Imported by name: ``conftest`` puts this folder on ``sys.path`` (pytest's importlib
mode does not let test modules import ``conftest`` itself).
"""

from __future__ import annotations

import json

from typer.testing import CliRunner

from containerregistry import name, random, remote, types
from containerregistry.crane.cli import build_app


class RawIndex:
    """A taggable whose raw manifest is given bytes (for ``remote.put``)."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def raw_manifest(self) -> bytes:
        return self.raw


def push_platform_index(address: str) -> None:
    """Push a/plat:v1, an OCI index of two images for linux/amd64 and linux/arm64."""
    children = []
    for seed, arch in ((3, "amd64"), (4, "arm64")):
        image = random.image(256, 1, seed=seed)
        remote.write(name.parse_reference(f"{address}/a/plat@{image.digest()}"), image)
        children.append(
            {
                "mediaType": image.media_type(),
                "size": image.size(),
                "digest": str(image.digest()),
                "platform": {"architecture": arch, "os": "linux"},
            }
        )
    raw = json.dumps(
        {"schemaVersion": 2, "mediaType": types.OCI_IMAGE_INDEX, "manifests": children}
    ).encode()
    remote.put(name.parse_reference(f"{address}/a/plat:v1"), RawIndex(raw))


def seed_registry(address: str) -> None:
    """Push a/img:v1 (an image), a/idx:v1 and a/plat:v1 (indexes) to ``address``."""
    remote.write(name.parse_reference(f"{address}/a/img:v1"), random.image(1024, 2, seed=1))
    remote.write_index(name.parse_reference(f"{address}/a/idx:v1"), random.index(512, 1, 2, seed=2))
    push_platform_index(address)


def run(*argv: str, stdin: str | None = None) -> tuple[int, bytes, str]:
    """Run crane with ``argv``; return (exit code, stdout bytes, stderr text)."""
    result = CliRunner().invoke(build_app("crane"), list(argv), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr


def digest_of(ref: str) -> str:
    """The digest the registry serves for ``ref``."""
    return str(remote.get(name.parse_reference(ref)).digest)
