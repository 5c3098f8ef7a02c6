"""stream.Layer: single pass, always gzip, values known only after the pass."""

from __future__ import annotations

import gzip
import hashlib
import io

import pytest

from containerregistry import stream
from containerregistry.compression import CompressionLevelError
from containerregistry.stream import (
    ConsumedError,
    NotComputedError,
    UncompressedUnavailableError,
)
from containerregistry.v1._protocols import Layer as LayerProtocol

TAR = b"pretend this is a tar " * 5000


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("method", ["digest", "diff_id", "size"])
def test_values_are_not_computed_before_the_pass(method: str) -> None:
    layer = stream.Layer(io.BytesIO(TAR))
    with pytest.raises(NotComputedError, match="read to its end and closed"):
        getattr(layer, method)()


def test_values_after_reading_and_closing() -> None:
    layer = stream.Layer(io.BytesIO(TAR))
    blob = layer.compressed()
    data = blob.read()
    with pytest.raises(NotComputedError):  # read but not closed yet
        layer.digest()
    blob.close()
    assert gzip.decompress(data) == TAR
    assert str(layer.digest()) == sha(data)
    assert str(layer.diff_id()) == sha(TAR)
    assert layer.size() == len(data)


def test_readinto_pass_and_context_manager() -> None:
    layer = stream.Layer(io.BytesIO(TAR))
    out = bytearray()
    buffer = bytearray(4096)
    with layer.compressed() as blob:
        while n := blob.readinto(buffer):  # type: ignore[attr-defined]
            out += buffer[:n]
    assert str(layer.digest()) == sha(bytes(out))


def test_closing_early_leaves_values_unknown() -> None:
    layer = stream.Layer(io.BytesIO(TAR))
    blob = layer.compressed()
    blob.read(10)
    blob.close()
    with pytest.raises(NotComputedError):
        layer.size()


def test_compressed_works_once() -> None:
    source = io.BytesIO(TAR)
    layer = stream.Layer(source)
    layer.compressed().close()
    assert source.closed
    with pytest.raises(ConsumedError, match="already read"):
        layer.compressed()


def test_uncompressed_is_unavailable() -> None:
    with pytest.raises(UncompressedUnavailableError):
        stream.Layer(io.BytesIO(TAR)).uncompressed()


def test_already_gzipped_input_is_gzipped_again() -> None:
    already = gzip.compress(TAR)
    layer = stream.Layer(io.BytesIO(already))
    with layer.compressed() as blob:
        data = blob.read()
    assert gzip.decompress(data) == already
    assert str(layer.diff_id()) == sha(already)


def test_level_and_media_type() -> None:
    layer = stream.Layer(
        io.BytesIO(TAR),
        compression_level=9,
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
    )
    assert layer.media_type() == "application/vnd.oci.image.layer.v1.tar+gzip"
    with layer.compressed() as blob:
        assert blob.read(10)[8] == 2  # XFL: best compression
    assert stream.Layer(io.BytesIO(b"")).media_type() == (
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    )
    with pytest.raises(CompressionLevelError):
        stream.Layer(io.BytesIO(b""), compression_level=10)


def test_deterministic_across_runs() -> None:
    def digest_of_run() -> str:
        layer = stream.Layer(io.BytesIO(TAR))
        with layer.compressed() as blob:
            blob.read()
        return str(layer.digest())

    assert digest_of_run() == digest_of_run()


def test_satisfies_the_layer_protocol() -> None:
    assert isinstance(stream.Layer(io.BytesIO(b"")), LayerProtocol)
