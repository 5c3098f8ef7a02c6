"""What ``import containerregistry.v1`` loads: names arrive on first use, Hash stays light."""

from __future__ import annotations

import copy
import os
import pickle
import subprocess
import sys

import pytest

from containerregistry import v1
from containerregistry.v1 import Hash

# Modules whose import cost would make every CLI start pay for the image model.
_HEAVY = ("dataclasses", "json", "re", "typing", "hashlib", "inspect")


def _names_after(code: str, names: str) -> list[str]:
    """Run ``code`` in a new interpreter; return what the expression ``names`` lists then."""
    probe = f"import sys\n{code}\nprint(','.join({names}))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    return [m for m in done.stdout.strip().split(",") if m]


def _loaded_after(code: str) -> list[str]:
    return _names_after(code, f"m for m in {_HEAVY!r} if m in sys.modules")


@pytest.mark.parametrize(
    "code",
    [
        "import containerregistry.v1",
        "from containerregistry.v1 import Hash, BadHashError\nHash.parse('sha256:' + 'a' * 64)",
    ],
    ids=["package", "hash"],
)
def test_import_loads_no_heavy_module(code: str) -> None:
    assert _loaded_after(code) == []


def test_every_public_name_resolves_and_is_listed() -> None:
    for attribute in v1.__all__:
        assert getattr(v1, attribute) is not None
    assert set(v1.__all__) <= set(dir(v1))
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = v1.no_such_name  # type: ignore[attr-defined]


def test_hash_behaves_as_a_frozen_ordered_value() -> None:
    low, high = Hash("sha256", "0" * 64), Hash("sha256", "f" * 64)
    assert Hash.parse(str(low)) == low
    assert hash(Hash.parse(str(low))) == hash(low)
    assert low != high
    assert low < high
    assert low <= Hash("sha256", "0" * 64)
    assert high > low
    assert high >= low
    assert sorted([high, low]) == [low, high]
    assert low != ("sha256", "0" * 64)
    assert repr(low) == f"Hash(algorithm='sha256', hex='{'0' * 64}')"
    assert pickle.loads(pickle.dumps(high)) == high
    assert copy.deepcopy(high) == high
    with pytest.raises(AttributeError):
        low.hex = "f" * 64  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del low.algorithm  # type: ignore[misc]
    match low:
        case Hash(algorithm, hex_part):
            assert (algorithm, hex_part) == ("sha256", "0" * 64)


def test_the_empty_index_needs_no_config_classes() -> None:
    """A new OCI layout starts from ``empty.index``: neither the empty image (the
    config classes, the partial image adapters) nor ``v1._config`` is loaded for it."""
    loaded = set(
        _names_after(
            "from containerregistry import empty\nempty.index.raw_manifest()",
            "m for m in sys.modules if m.startswith('containerregistry.')",
        )
    )
    assert "containerregistry.empty._index" in loaded
    assert not loaded & {
        "containerregistry.empty._image",
        "containerregistry.v1._config",
        "containerregistry.partial._compressed",
        "containerregistry.partial._uncompressed",
    }


def test_every_partial_and_empty_name_resolves_and_is_listed() -> None:
    from containerregistry import empty, partial

    for package in (partial, empty):
        for attribute in package.__all__:
            assert getattr(package, attribute) is not None
        assert set(package.__all__) <= set(dir(package))
