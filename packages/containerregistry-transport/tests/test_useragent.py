"""The User-Agent header the registry sees."""

from __future__ import annotations

import pytest
import requests

from containerregistry.transport import DEFAULT_USER_AGENT, VERSION, UserAgentLayer, user_agent


@pytest.mark.parametrize(
    ("product", "expected"),
    [
        pytest.param(None, f"containerregistry-python/{VERSION}", id="library"),
        pytest.param("crane/0.1.0", f"crane/0.1.0 containerregistry-python/{VERSION}", id="crane"),
        pytest.param("  ", DEFAULT_USER_AGENT, id="blank"),
    ],
)
def test_user_agent(product, expected):
    assert user_agent(product) == expected


def test_header_replaces_requests_default(serve, kit):
    server = serve(lambda seen: kit.Reply(200))
    session = requests.Session()
    session.mount("http://", UserAgentLayer(requests.adapters.HTTPAdapter(), "crane/1 x/2"))
    session.get(server.url)
    assert server.seen[0].headers["user-agent"] == "crane/1 x/2"
