"""Registry keys of pull secrets against images: the kubelet's rules, case by case."""

from __future__ import annotations

import pytest

from containerregistry.kubernetes import normalize_key, registry_matches


@pytest.mark.parametrize(
    ("key", "want"),
    [
        pytest.param("quay.io", "quay.io", id="bare-host"),
        pytest.param("https://quay.io", "quay.io", id="https-stripped"),
        pytest.param("http://quay.io", "quay.io", id="http-stripped"),
        pytest.param("https://index.docker.io/v1/", "index.docker.io", id="docker-login-key"),
        pytest.param("https://index.docker.io/v2/", "index.docker.io", id="v2-suffix"),
        pytest.param("docker.io", "index.docker.io", id="hub-alias"),
        pytest.param("registry-1.docker.io", "index.docker.io", id="hub-alias-registry-1"),
        pytest.param("quay.io/", "quay.io", id="slash-only-path"),
        pytest.param("quay.io/coreos", "quay.io/coreos", id="path-kept"),
        pytest.param("https://quay.io/v1/coreos", "quay.io/coreos", id="v1-prefix-dropped"),
        pytest.param("localhost:5000", "localhost:5000", id="port-kept"),
        pytest.param("Quay.IO/Team", "quay.io/Team", id="host-lowercased-path-kept"),
        pytest.param("https://user@quay.io", "quay.io", id="userinfo-dropped"),
        pytest.param("*.gcr.io", "*.gcr.io", id="glob-kept"),
    ],
)
def test_normalize_key(key: str, want: str) -> None:
    assert normalize_key(key) == want


@pytest.mark.parametrize(
    ("key", "target", "want"),
    [
        # Globs over host labels (ggcr's TestAuthWithGlobs).
        pytest.param("*.docker.io", "blah.docker.io/foo", True, id="glob-first-label"),
        pytest.param("*.docker.io", "not.right.io/foo", False, id="glob-other-domain"),
        pytest.param("*.example.io", "example.io/foo", False, id="glob-needs-a-label"),
        pytest.param("*.docker.io", "a.b.docker.io/foo", False, id="glob-one-label-only"),
        pytest.param("*.*.io", "gcr.docker.io/foo", True, id="two-globs"),
        pytest.param("gcr.*.io", "gcr.docker.io/foo", True, id="glob-middle-label"),
        pytest.param("us-*.gcr.io", "us-west1.gcr.io/p/i", True, id="glob-within-label"),
        pytest.param("us-*.gcr.io", "eu-west1.gcr.io/p/i", False, id="glob-within-label-miss"),
        pytest.param("?.gcr.io", "a.gcr.io/x", True, id="question-mark"),
        pytest.param("?.gcr.io", "ab.gcr.io/x", False, id="question-mark-one-char"),
        pytest.param("[ab].gcr.io", "b.gcr.io/x", True, id="class"),
        pytest.param("[^ab].gcr.io", "b.gcr.io/x", False, id="negated-class"),
        pytest.param("[a-c]x.io", "bx.io/y", True, id="range"),
        pytest.param("[a.io", "a.io/y", False, id="malformed-glob-matches-nothing"),
        pytest.param(r"\*.io", "*.io/y", True, id="escaped-star-literal"),
        pytest.param(r"\*.io", "a.io/y", False, id="escaped-star-not-glob"),
        pytest.param("QUAY.io", "quay.IO/x", True, id="hosts-without-case"),
        # Ports must be equal (ggcr's TestAuthWithPorts).
        pytest.param("registry.io:5000", "registry.io:5000/app", True, id="same-port"),
        pytest.param("registry.io:5000", "registry.io:5001/app", False, id="other-port"),
        pytest.param("registry.io:5000", "registry.io/app", False, id="port-vs-none"),
        pytest.param("registry.io", "registry.io:5000/app", False, id="none-vs-port"),
        pytest.param("*.io:5000", "registry.io:5000/app", True, id="glob-with-port"),
        pytest.param("[::1]:5000", "[::1]:5000/app", True, id="ipv6-port"),
        pytest.param("127.0.0.1:5000", "127.0.0.1:5000/a", True, id="ip-port"),
        # Path prefixes (ggcr's TestAuthPathMatching).
        pytest.param("quay.io/coreos", "quay.io/coreos/etcd", True, id="path-prefix"),
        pytest.param("quay.io/coreos", "quay.io/other/etcd", False, id="path-other"),
        pytest.param("quay.io/coreos", "quay.io", False, id="path-vs-registry"),
        pytest.param("quay.io/core", "quay.io/coreos/etcd", True, id="string-prefix-as-kubelet"),
        pytest.param("quay.io/coreos/", "quay.io/coreos/etcd", True, id="trailing-slash"),
        pytest.param("quay.io", "quay.io/anything/at/all", True, id="host-covers-all"),
        pytest.param("quay.io", "quay.io", True, id="host-vs-registry"),
        pytest.param("index.docker.io", "docker.io/library/x", True, id="hub-alias-target"),
    ],
)
def test_registry_matches(key: str, target: str, want: bool) -> None:
    assert registry_matches(key, target) is want
