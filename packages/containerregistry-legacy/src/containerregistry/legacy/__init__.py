"""The legacy ``docker save`` v1 tarball writer (``crane pull --format legacy``).

Each layer is stored uncompressed under its v1 id with a ``json`` and ``VERSION``
file, beside the image configs, ``manifest.json`` and ``repositories``: the layout
Docker wrote before 1.10 and every ``docker load`` still reads.
"""

from containerregistry.legacy._config import LayerConfigFile
from containerregistry.legacy._errors import HistoryMismatchError, LegacyTarballError
from containerregistry.legacy._write import (
    LAYER_VERSION,
    Reference,
    multi_ref_write,
    multi_ref_write_to_file,
    multi_write,
    multi_write_to_file,
    v1_layer_id,
    write,
    write_to_file,
)

__all__ = [
    "LAYER_VERSION",
    "HistoryMismatchError",
    "LayerConfigFile",
    "LegacyTarballError",
    "Reference",
    "multi_ref_write",
    "multi_ref_write_to_file",
    "multi_write",
    "multi_write_to_file",
    "v1_layer_id",
    "write",
    "write_to_file",
]
