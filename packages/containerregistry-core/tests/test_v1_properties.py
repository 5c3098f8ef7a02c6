"""Property tests: JSON round trips of generated manifests, indexes, configs, platforms."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from containerregistry.v1 import (
    Config,
    ConfigFile,
    Descriptor,
    Hash,
    HealthConfig,
    History,
    IndexManifest,
    Manifest,
    Platform,
    RootFS,
    Time,
)

# Text with everything Go treats specially: HTML characters, line separators,
# control characters, quotes, non-ASCII.
text = st.text(
    st.one_of(
        st.sampled_from('<>&"\\\u2028\u2029\n\t\x00\x7fé中😀 '),
        st.characters(codec="utf-8"),
    ),
    max_size=12,
)
short_text = st.text(max_size=6)
strings = st.lists(text, max_size=3).map(tuple)
string_maps = st.dictionaries(text, text, max_size=3)
int64 = st.integers(-(1 << 63), (1 << 63) - 1)
hashes = st.binary(max_size=8).map(Hash.of)
times = st.builds(
    lambda unix, nanos, minutes: Time(unix=unix, nanos=nanos, offset=minutes * 60),
    unix=st.integers(-62_135_596_800 + 86_400, 253_402_300_799 - 86_400),
    nanos=st.integers(0, 999_999_999),
    minutes=st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)

platforms = st.builds(
    Platform,
    architecture=short_text,
    os=short_text,
    os_version=short_text,
    os_features=strings,
    variant=short_text,
    features=strings,
)
descriptors = st.builds(
    Descriptor,
    media_type=text,
    size=int64,
    digest=hashes,
    data=st.binary(max_size=10),
    urls=strings,
    annotations=string_maps,
    platform=st.none() | platforms,
    artifact_type=text,
)
descriptor_lists = st.none() | st.lists(descriptors, max_size=3).map(tuple)
manifests = st.builds(
    Manifest,
    schema_version=int64,
    media_type=text,
    config=descriptors,
    layers=descriptor_lists,
    annotations=string_maps,
    subject=st.none() | descriptors,
    artifact_type=text,
)
indexes = st.builds(
    IndexManifest,
    schema_version=int64,
    media_type=text,
    manifests=descriptor_lists,
    annotations=string_maps,
    subject=st.none() | descriptors,
    artifact_type=text,
)
healthchecks = st.builds(
    HealthConfig,
    test=strings,
    interval=int64,
    timeout=int64,
    start_period=int64,
    start_interval=int64,
    retries=int64,
)
containers = st.builds(
    Config,
    attach_stderr=st.booleans(),
    cmd=strings,
    healthcheck=st.none() | healthchecks,
    env=strings,
    labels=string_maps,
    user=text,
    volumes=st.frozensets(text, max_size=3),
    exposed_ports=st.frozensets(text, max_size=3),
    args_escaped=st.booleans(),
    shell=strings,
    stop_signal=text,
)
histories = st.builds(
    History,
    author=text,
    created=times,
    created_by=text,
    comment=text,
    empty_layer=st.booleans(),
)
configs = st.builds(
    ConfigFile,
    architecture=short_text,
    author=text,
    container=text,
    created=times,
    docker_version=text,
    history=st.lists(histories, max_size=3).map(tuple),
    os=short_text,
    rootfs=st.builds(
        RootFS, type=text, diff_ids=st.none() | st.lists(hashes, max_size=3).map(tuple)
    ),
    config=containers,
    os_version=short_text,
    variant=short_text,
    os_features=strings,
)

models = st.one_of(platforms, descriptors, manifests, indexes, configs)


@settings(max_examples=200)
@given(models)
def test_from_json_inverts_to_json(value: Any) -> None:
    assert type(value).from_json(value.to_json()) == value


@given(models)
def test_to_json_is_stable_across_a_parse(value: Any) -> None:
    document = value.to_json()
    assert type(value).from_json(document).to_json() == document


@given(models)
def test_output_is_compact_utf8_json_with_go_escapes(value: Any) -> None:
    document = value.to_json()
    decoded = document.decode("utf-8")
    for raw in "<>&\u2028\u2029":
        assert raw not in decoded
    assert json.loads(decoded) is not None
    assert "\n" not in decoded


def _inject_unknown(tree: Any, extra: Any) -> Any:
    """Add an unknown key to every JSON object in ``tree``."""
    if isinstance(tree, dict):
        injected = {key: _inject_unknown(item, extra) for key, item in tree.items()}
        injected["x-unknown-field"] = extra
        return injected
    if isinstance(tree, list):
        return [_inject_unknown(item, extra) for item in tree]
    return tree


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=2) | st.dictionaries(text, children, max_size=2),
    max_leaves=4,
)


@given(st.one_of(platforms, descriptors, manifests, indexes), json_values)
def test_unknown_fields_are_dropped(value: Any, extra: Any) -> None:
    # Maps (annotations) would gain the key as an entry; keep them out of this test.
    tree = json.loads(value.to_json())
    noisy = _inject_unknown(_strip_maps(tree), extra)
    expected = type(value).from_json(json.dumps(_strip_maps(tree)))
    assert type(value).from_json(json.dumps(noisy)) == expected


def _strip_maps(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {
            key: _strip_maps(item)
            for key, item in tree.items()
            if key not in ("annotations", "Labels", "ExposedPorts", "Volumes")
        }
    if isinstance(tree, list):
        return [_strip_maps(item) for item in tree]
    return tree


def _independent_go_string(value: str) -> str:
    escaped = json.dumps(value, ensure_ascii=False)
    for raw in "<>&\u2028\u2029":
        escaped = escaped.replace(raw, f"\\u{ord(raw):04x}")
    return escaped


def _independent_descriptor_json(descriptor: Descriptor) -> str:
    """A second, straightforward rendering of ggcr's Descriptor struct."""
    parts = [
        f'"mediaType":{_independent_go_string(descriptor.media_type)}',
        f'"size":{descriptor.size}',
        f'"digest":"{descriptor.digest}"',
    ]
    if descriptor.data:
        parts.append(f'"data":"{base64.b64encode(descriptor.data).decode()}"')
    if descriptor.urls:
        parts.append('"urls":[' + ",".join(map(_independent_go_string, descriptor.urls)) + "]")
    if descriptor.annotations:
        items = sorted(descriptor.annotations.items())
        parts.append(
            '"annotations":{'
            + ",".join(f"{_independent_go_string(k)}:{_independent_go_string(v)}" for k, v in items)
            + "}"
        )
    if descriptor.platform is not None:
        parts.append(f'"platform":{descriptor.platform.to_json().decode()}')
    if descriptor.artifact_type:
        parts.append(f'"artifactType":{_independent_go_string(descriptor.artifact_type)}')
    return "{" + ",".join(parts) + "}"


@given(descriptors)
def test_descriptor_matches_independent_rendering(descriptor: Descriptor) -> None:
    assert descriptor.to_json() == _independent_descriptor_json(descriptor).encode()
