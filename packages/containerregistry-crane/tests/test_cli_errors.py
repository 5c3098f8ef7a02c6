"""Error wording that is the CLI's own: flags by their names, not the Python API's."""

from __future__ import annotations

import pytest
from crane_testkit import run

from containerregistry import name, remote


def test_no_matching_platform_names_the_flag(host: str) -> None:
    code, out, err = run("manifest", "--platform", "linux/s390x", f"{host}/a/plat:v1")
    assert (code, out) == (1, b"")
    assert err == (
        f"Error: no child of {host}/a/plat:v1 matches platform linux/s390x "
        "(it has: linux/amd64, linux/arm64); pass --platform with one of those\n"
    )


def test_the_python_api_names_its_argument(host: str) -> None:
    descriptor = remote.get(name.parse_reference(f"{host}/a/plat:v1"), platform="linux/s390x")
    with pytest.raises(remote.PlatformNotFoundError) as info:
        descriptor.image()
    assert str(info.value).endswith("; pass platform= with one of those")
