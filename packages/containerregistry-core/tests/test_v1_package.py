"""The v1 package: its public names and the cost of importing it."""

from __future__ import annotations

import os
import subprocess
import sys

import containerregistry.v1 as v1


def test_all_is_sorted_and_complete() -> None:
    assert v1.__all__ == sorted(v1.__all__)
    for name in v1.__all__:
        assert hasattr(v1, name), name
    for name in ("Hash", "BadHashError", "Layer", "Image", "ImageIndex", "Update"):
        assert name in v1.__all__


def test_errors_derive_from_the_root() -> None:
    from containerregistry.errors import ContainerRegistryError

    for error in (
        v1.ManifestParseError,
        v1.ConfigParseError,
        v1.PlatformParseError,
        v1.TimeParseError,
    ):
        assert issubclass(error, v1.ParseError)
        assert issubclass(error, ContainerRegistryError)
        assert issubclass(error, ValueError)


def test_import_stays_lean() -> None:
    # json, base64 and datetime load on first use, not at import time.
    code = (
        "import sys, containerregistry.v1; "
        "print(','.join(m for m in ('json', 'base64', 'datetime') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert result.stdout.strip() == ""
