"""rebase: layers and history of the new base, then the original's own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from containerregistry import empty, mutate
from containerregistry.v1 import Config, ConfigFile, History, Time


def _layer(kit: Any, name: str) -> Any:
    return kit.GzipLayer(kit.build_tar([("file", name, name.encode())]))


def _images(kit: Any) -> tuple[Any, Any, Any, list[Any]]:
    old = [_layer(kit, "old1"), _layer(kit, "old2")]
    new = [_layer(kit, "new1")]
    mine = [_layer(kit, "app")]
    old_base = mutate.append(
        mutate.config_file(empty.image, ConfigFile(architecture="amd64", os="linux")),
        mutate.Addendum(old[0], history=History(created_by="old 1")),
        mutate.Addendum(None, history=History(created_by="ENV A=1", empty_layer=True)),
        mutate.Addendum(old[1], history=History(created_by="old 2")),
    )
    new_base = mutate.append(
        mutate.config_file(
            empty.image, ConfigFile(architecture="arm64", os="linux", os_version="1.0")
        ),
        mutate.Addendum(new[0], history=History(created_by="new 1")),
    )
    original = mutate.created_at(
        mutate.config(
            mutate.append(
                old_base,
                mutate.Addendum(None, history=History(created_by="WORKDIR /app", empty_layer=True)),
                mutate.Addendum(mine[0], history=History(created_by="COPY app")),
            ),
            Config(entrypoint=("/app",)),
        ),
        Time.parse("2022-01-01T00:00:00Z"),
    )
    return original, old_base, new_base, new + mine


def test_rebase_config_and_layers(kit: Any) -> None:
    original, old_base, new_base, want_layers = _images(kit)
    rebased = mutate.rebase(original, old_base, new_base)
    assert rebased.layers() == want_layers
    config = json.loads(rebased.raw_config_file())
    assert config == {
        "architecture": "arm64",
        "created": "0001-01-01T00:00:00Z",
        "history": [
            {"created": "0001-01-01T00:00:00Z", "created_by": "new 1"},
            {"created": "0001-01-01T00:00:00Z", "created_by": "WORKDIR /app", "empty_layer": True},
            {"created": "0001-01-01T00:00:00Z", "created_by": "COPY app"},
        ],
        "os": "linux",
        "rootfs": {"type": "layers", "diff_ids": [str(layer.diff_id()) for layer in want_layers]},
        "config": {"Entrypoint": ["/app"]},
        "os.version": "1.0",
    }
    assert [d.digest for d in rebased.manifest().layers or ()] == [
        layer.digest() for layer in want_layers
    ]
    assert rebased.raw_manifest() == rebased.manifest().to_json()


@pytest.mark.parametrize("case", ["too-few-layers", "layer-mismatch"])
def test_not_based_on(kit: Any, case: str) -> None:
    original, old_base, new_base, _ = _images(kit)
    if case == "too-few-layers":
        original, old_base = old_base, original
        match = "fewer than the old base"
    else:
        old_base = mutate.append_layers(empty.image, _layer(kit, "other"))
        match = "layer 0 of the image"
    with pytest.raises(mutate.NotBasedOnError, match=match):
        mutate.rebase(original, old_base, new_base)


def test_rebase_onto_same_base_keeps_layers(kit: Any) -> None:
    original, old_base, _, _ = _images(kit)
    rebased = mutate.rebase(original, old_base, old_base)
    assert [layer.digest() for layer in rebased.layers()] == [
        layer.digest() for layer in original.layers()
    ]
    assert len(rebased.config_file().history) == len(original.config_file().history)
