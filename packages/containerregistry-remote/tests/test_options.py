"""Options are validated up front; errors are one clear line without credentials."""

from __future__ import annotations

from typing import Any

import pytest
from remote_testkit import FAST_RETRY, Served, random_image, serve

from containerregistry import authn, remote
from containerregistry.registry import BasicAuth, MemoryStorage, Registry, TokenAuth
from containerregistry.transport import RegistryError
from containerregistry.v1 import Platform


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"keychain": authn.default_keychain(), "authenticator": authn.ANONYMOUS},
            "not both",
            id="keychain-and-authenticator",
        ),
        pytest.param({"jobs": 0}, "jobs must be", id="zero-jobs"),
        pytest.param({"jobs": True}, "jobs must be", id="bool-jobs"),
        pytest.param({"chunk_size": 0}, "chunk_size must be", id="zero-chunk"),
        pytest.param({"page_size": -1}, "page_size", id="negative-page"),
        pytest.param({"insecure": True, "ca_bundle": "x.pem"}, "ca_bundle", id="insecure-ca"),
        pytest.param({"bogus": 1}, "unknown option", id="unknown"),
    ],
)
def test_bad_options_fail_at_once(options: dict[str, Any], message: str) -> None:
    with pytest.raises(remote.OptionsError, match=message):
        remote.Options.make(options)  # type: ignore[arg-type]


def test_defaults() -> None:
    opts = remote.Options.make({})
    assert (opts.jobs, opts.chunk_size, opts.page_size) == (4, None, 1000)
    assert opts.platform == Platform(os="linux", architecture="amd64")
    assert remote.Options.make({"platform": "linux/arm64/v8"}).platform.variant == "v8"


def test_wrong_password_error_has_no_credentials() -> None:
    for served in serve(Registry(storage=MemoryStorage(), auth=BasicAuth({"me": "s3cret"}))):
        with pytest.raises(RegistryError) as info:
            remote.write(
                served.ref("app:v1"),
                random_image(1),
                authenticator=authn.Basic("me", "wrong-pass"),
                retry=FAST_RETRY,
            )
        text = str(info.value)
        assert info.value.status == 401
        assert "wrong-pass" not in text
        assert "\n" not in text


def test_token_registry_mount_asks_pull_on_the_source() -> None:
    auth = TokenAuth({"me": "pw"})
    for served in serve(Registry(storage=MemoryStorage(), auth=auth)):
        creds = authn.Basic("me", "pw")
        img = random_image(2, layers=1)
        remote.write(served.ref("src:v1"), img, authenticator=creds, retry=FAST_RETRY)
        served.recorder.clear()
        source = remote.image(served.ref("src:v1"), authenticator=creds, retry=FAST_RETRY)
        remote.write(served.ref("dst:v1"), source, authenticator=creds, retry=FAST_RETRY)
        (token,) = [s for s in served.recorder.requests("GET", "/token") if "dst" in s.query]
        from urllib.parse import parse_qs

        scopes = parse_qs(token.query)["scope"]
        assert scopes[0] == "repository:dst:push,pull"
        assert "repository:src:pull" in scopes
        assert remote.get(served.ref("dst:v1"), authenticator=creds).digest == img.digest()


def test_served_fixture_type(registry: Served) -> None:
    assert registry.host.startswith("127.0.0.1:")
