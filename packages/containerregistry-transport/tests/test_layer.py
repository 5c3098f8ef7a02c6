"""Body rewinding shared by the retry and auth layers."""

from __future__ import annotations

import io

import requests

from containerregistry.transport._layer import body_position, rewind


def _prepared(body):
    return requests.Request("PUT", "http://x/", data=body).prepare()


def test_bytes_are_always_resendable():
    request = _prepared(b"abc")
    assert body_position(request) is None
    assert rewind(request, None)


def test_files_are_sought_back():
    stream = io.BytesIO(b"0123")
    stream.seek(1)
    request = _prepared(stream)
    position = body_position(request)
    stream.read()
    assert rewind(request, position)
    assert stream.read() == b"123"


def test_generators_cannot_be_replayed():
    request = _prepared(iter([b"a"]))
    assert not rewind(request, body_position(request))
