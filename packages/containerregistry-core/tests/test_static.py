"""static.Layer: bytes held in memory, stored uncompressed."""

from __future__ import annotations

import hashlib

from containerregistry import static
from containerregistry.v1._protocols import Layer as LayerProtocol

DATA = b'{"hello":"world"}'


def test_static_layer_is_its_own_diff_id() -> None:
    layer = static.Layer(DATA, "application/vnd.oci.image.config.v1+json")
    expected = "sha256:" + hashlib.sha256(DATA).hexdigest()
    assert str(layer.digest()) == expected
    assert layer.diff_id() == layer.digest()
    assert layer.size() == len(DATA)
    assert layer.media_type() == "application/vnd.oci.image.config.v1+json"
    assert isinstance(layer, LayerProtocol)


def test_every_open_is_a_fresh_stream() -> None:
    layer = static.Layer(DATA, "application/octet-stream")
    assert layer.compressed().read() == DATA
    assert layer.compressed().read() == DATA
    assert layer.uncompressed().read() == DATA


def test_data_is_copied_at_construction() -> None:
    source = bytearray(b"abc")
    layer = static.Layer(bytes(source), "application/octet-stream")
    source[0] = ord("z")
    assert layer.compressed().read() == b"abc"
